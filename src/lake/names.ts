import { createHash } from 'crypto';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Give every customer-managed policy under `scope` a name under the lake's prefix: the lake's rule
 * on policy versions matches the prefix, whichever stack the policy lives in.
 */
export function nameManagedPolicies(scope: IConstruct, prefix: string): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof iam.CfnManagedPolicy && c.managedPolicyName === undefined) {
      c.managedPolicyName = `${prefix}-${createHash('sha256').update(c.node.path).digest('hex').slice(0, 10)}`;
    }
  }
}
