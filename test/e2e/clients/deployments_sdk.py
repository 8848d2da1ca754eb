"""The Python SDK's ResourceManagementClient against a running Lazurite: a group, a deployment
(TEMPLATE), its operations, and a what-if of the same template. Prints one JSON line."""
import json
import os

from azure.core.credentials import AccessToken
from azure.mgmt.resource import ResourceManagementClient


class Token:
    def get_token(self, *scopes, **kwargs):
        return AccessToken("x", 4102444800)


endpoint = os.environ["ARM_ENDPOINT"]
client = ResourceManagementClient(
    Token(), os.environ["ARM_SUBSCRIPTION"], base_url=endpoint, credential_scopes=[endpoint + "/.default"]
)
template = json.load(open(os.environ["TEMPLATE"]))
client.resource_groups.create_or_update("py-dep", {"location": "westus"})
props = {"properties": {"mode": "Incremental", "template": template, "parameters": {}}}
d = client.deployments.begin_create_or_update("py-dep", "nics", props, polling_interval=0).result()
ops = [o for o in client.deployment_operations.list("py-dep", "nics") if o.properties.provisioning_operation == "Create"]
w = client.deployments.begin_what_if("py-dep", "nics", props, polling_interval=0).result()
print(
    json.dumps(
        {
            "state": d.properties.provisioning_state,
            "operations": len([o for o in ops if o.properties.target_resource.resource_type.endswith("networkInterfaces")]),
            "firstIp": d.properties.outputs["firstIp"]["value"],
            "changes": sorted({c.change_type for c in w.changes}),
        }
    )
)
