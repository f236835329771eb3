import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Give every customer-managed policy under `scope` a name under the lake's prefix: the lake's rule
 * on policy versions matches the prefix, whichever stack the policy lives in. A `ManagedPolicy`
 * without a name carries a token that resolves to nothing (its physical name, generated only
 * across environments), not `undefined`: such a policy is unnamed too.
 */
export function nameManagedPolicies(scope: IConstruct, prefix: string): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof iam.CfnManagedPolicy && isUnnamed(c)) {
      c.managedPolicyName = `${prefix}-${createHash('sha256').update(c.node.path).digest('hex').slice(0, 10)}`;
    }
  }
}

function isUnnamed(policy: iam.CfnManagedPolicy): boolean {
  const name = policy.managedPolicyName;
  return name === undefined || (Token.isUnresolved(name) && Stack.of(policy).resolve(name) === undefined);
}
