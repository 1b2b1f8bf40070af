"""The CDK part: the two stacks per tenant, their constructs, policy aspects and the post-synth hook."""

# Before any module of this package imports `constructs` (which starts the jsii runtime): the
# engine module sets the variables that keep jsii's Node version banner off users' screens.
from teams_notify.stacks import engine as _engine  # noqa: F401
