"""A CDK app written against the Python binding of the library: synthesizes and prints the template."""
import json
import sys

import aws_cdk as cdk
import cdk_secure_delta_lake as sdl

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "Binding", env=cdk.Environment(account="111111111111", region="eu-west-1"))

control = sdl.SecurityControls.by_id("SDL-S3-02")
cdk.Tags.of(stack).add("sdl:control", control.id)
cdk.CfnOutput(stack, "ControlCount", value=str(len(sdl.SecurityControls.all())))

assembly = app.synth()
print(json.dumps(assembly.get_stack_by_name("Binding").template))
