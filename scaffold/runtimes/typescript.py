"""TypeScript functions: Node.js functions whose code Lambda runs as one esbuild bundle.

Lambda has no TypeScript runtime; a TypeScript repo deploys to nodejs22.x/nodejs24.x
with SAM's `Metadata: BuildMethod: esbuild` (template.yaml), which `sam build`,
`invoke` and `package` all follow. So at run time its functions are Node.js ones:
template.yaml names a nodejs runtime, `catalog.runtime_by_identifier` answers
"node", and scaffold/runtimes/node.py bundles, invokes and packages them. This
module is what the catalog's `typescript` entry (its template files and version
choices) registers as, and the one place to give TypeScript its own behaviour.
"""

from __future__ import annotations

from scaffold.runtimes.node import Node


class TypeScript(Node):
    name = "typescript"


LANGUAGE = TypeScript()
