"""The CDK part: the two stacks per tenant, their constructs, policy aspects and the post-synth hook."""
