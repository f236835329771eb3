import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ReasonedPolicy } from './compliance';

/** The role or user behind a grantee. */
export interface GranteeIdentity {
  /** The role or user construct. */
  readonly construct: IConstruct;
  /** Its ARN. */
  readonly arn: string;
  readonly role?: iam.IRole;
  readonly user?: iam.IUser;
}

/**
 * The role or user a grant goes to. Grants live in customer-managed policies attached to a role or
 * a user, so other principals are refused.
 */
export function granteeIdentity(grantee: iam.IGrantable, owner: string): GranteeIdentity {
  const principal = grantee.grantPrincipal as any;
  if (principal.roleArn !== undefined) {
    return { construct: principal, arn: principal.roleArn, role: principal };
  }
  if (principal.userArn !== undefined) {
    return { construct: principal, arn: principal.userArn, user: principal };
  }
  throw new Error(`${owner}: grants go to a role or a user (got ${principal.toString()}); grant to the role that the workload assumes`);
}

/**
 * A customer-managed policy attached to the grantee, created in the grantee's stack (as its child),
 * so that it references the granted resources and never the other way round.
 */
export function managedPolicyFor(identity: GranteeIdentity, id: string, description: string): ReasonedPolicy {
  return new ReasonedPolicy(new iam.ManagedPolicy(identity.construct, id.slice(0, 255), {
    description,
    roles: identity.role ? [identity.role] : undefined,
    users: identity.user ? [identity.user] : undefined,
  }));
}
