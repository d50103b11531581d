#!/usr/bin/env python3
"""Generates the schemas of the built-in kinds the embedded API server validates and serves.

Usage: scripts/generate-builtin-schemas.py [--kind GROUP/VERSION/KIND ...] [--all-kinds]
                                           [--schemas DIR] [--out FILE] [--check]

Source: the PyPI package kubernetes-validate, version 1.37.0 (Apache-2.0), which ships the
strict JSON schemas of every built-in kind of Kubernetes 1.32, made from kube-apiserver's own
OpenAPI document (`kubernetes-json-schema/v1.32.0-local-strict/_definitions.json` in the
package; `pip install kubernetes-validate==1.37.0`). --schemas points at that folder; by
default it is found in the installed package.

Writes Sources/KubeServer/Schemas/builtin-1.32.json (minified), which the server reads to
validate built-in objects (Go-decoding semantics: types and unknown fields) and to serve
`/openapi/v3` (so `kubectl explain pods.spec` has real text). Its shape:

    {"source": {...},
     "kinds": [{"group": "", "version": "v1", "kind": "Pod", "definition": "io.k8s.api.core.v1.Pod"}, ...],
     "definitions": {"io.k8s.api.core.v1.Pod": {...}, ...}}

Only the definitions the chosen kinds reach are written, each once; everything else refers
to them with `{"$ref": "#/components/schemas/<name>"}` (the form the served OpenAPI documents
use), so recursive definitions such as JSONSchemaProps stay finite. The kinds are those the
server serves (KINDS below: every kind 1.32 stores); --kind adds any other, --all-kinds
takes every kind the package has a schema for. With --check nothing is written:
the exit status is 1 when the file is missing or differs.

The JSON Schema (draft 2020-12) of kubernetes-validate becomes the OpenAPI v3 shape the
server's validator (Sources/KubeModel/Schema) understands, close to what kube-apiserver
publishes:

- `type: [X, "null"]` becomes `type: X` (Go decodes `null` into any field as its zero value;
  the server accepts `null` everywhere, as kube-apiserver does);
- `$ref: "#/$defs/N"` becomes `$ref: "#/components/schemas/N"`, keeping its `description`
  and `x-kubernetes-*` siblings;
- `additionalProperties: false` (the "strict" of the package) is dropped: a definition with
  `properties`, or an object without `additionalProperties`, is a Go struct, and the server
  refuses or drops fields it does not declare;
- the `enum`s the package adds to `apiVersion` and `kind` are dropped (the server checks
  them itself and accepts every served version);
- IntOrString becomes `x-kubernetes-int-or-string: true` (format `int-or-string`), Quantity
  `oneOf: [{type: string}, {type: number}]` with format `quantity` (kube-apiserver's v3
  shape; the server parses the quantity as Go does), Time and MicroTime stay
  `type: string, format: date-time`; both get kube-apiserver's descriptions, which the
  package lacks;
- the types Go decodes with custom code that takes any JSON (RawExtension, FieldsV1, and
  apiextensions' JSON, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool,
  JSONSchemaPropsOrStringArray) get `x-kubernetes-preserve-unknown-fields: true`;
- `$schema`, `$id` are dropped; descriptions, `required`, `enum`, `format` and the
  `x-kubernetes-*` extensions are kept (`kubectl explain` shows them; the server does not
  turn `required` or `enum` into errors: kube-apiserver's Go validation decides those).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

KUBERNETES_VALIDATE_VERSION = "1.37.0"
KUBERNETES_VERSION = "1.32"
SCHEMA_FOLDER = "v1.32.0-local-strict"

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "Sources" / "KubeServer" / "Schemas" / "builtin-1.32.json"

# The built-in kinds Sources/KubeServer/Registry/BuiltinResources.swift (and
# BuiltinResources+Groups.swift) serves: every kind Kubernetes 1.32 stores.
KINDS = [
    ("", "v1", "Namespace"),
    ("", "v1", "Node"),
    ("", "v1", "Pod"),
    ("", "v1", "ConfigMap"),
    ("", "v1", "Secret"),
    ("", "v1", "Service"),
    ("", "v1", "Endpoints"),
    ("", "v1", "Event"),
    ("", "v1", "ServiceAccount"),
    ("", "v1", "PersistentVolumeClaim"),
    ("", "v1", "PersistentVolume"),
    ("", "v1", "ResourceQuota"),
    ("", "v1", "LimitRange"),
    ("", "v1", "ReplicationController"),
    ("", "v1", "PodTemplate"),
    ("apps", "v1", "Deployment"),
    ("apps", "v1", "ReplicaSet"),
    ("apps", "v1", "StatefulSet"),
    ("apps", "v1", "DaemonSet"),
    ("apps", "v1", "ControllerRevision"),
    ("batch", "v1", "Job"),
    ("batch", "v1", "CronJob"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("rbac.authorization.k8s.io", "v1", "Role"),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding"),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole"),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("networking.k8s.io", "v1", "Ingress"),
    ("networking.k8s.io", "v1", "IngressClass"),
    ("policy", "v1", "PodDisruptionBudget"),
    ("storage.k8s.io", "v1", "StorageClass"),
    ("storage.k8s.io", "v1", "VolumeAttachment"),
    ("storage.k8s.io", "v1", "CSIDriver"),
    ("storage.k8s.io", "v1", "CSINode"),
    ("storage.k8s.io", "v1", "CSIStorageCapacity"),
    ("coordination.k8s.io", "v1", "Lease"),
    ("discovery.k8s.io", "v1", "EndpointSlice"),
    ("events.k8s.io", "v1", "Event"),
    ("scheduling.k8s.io", "v1", "PriorityClass"),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding"),
    ("apiregistration.k8s.io", "v1", "APIService"),
    ("certificates.k8s.io", "v1", "CertificateSigningRequest"),
    ("node.k8s.io", "v1", "RuntimeClass"),
    ("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration"),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
    ("authorization.k8s.io", "v1", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "v1", "SubjectAccessReview"),
    ("authorization.k8s.io", "v1", "LocalSubjectAccessReview"),
    ("authorization.k8s.io", "v1", "SelfSubjectRulesReview"),
    ("authentication.k8s.io", "v1", "SelfSubjectReview"),
]

SOURCE_PREFIX = "#/$defs/"
TARGET_PREFIX = "#/components/schemas/"

INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
FREE_FORM_OBJECTS = {
    "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
}
FREE_FORM_VALUES = {
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray",
}

# kube-apiserver's descriptions of the two types the package reduces to a bare `oneOf`.
INT_OR_STRING_DESCRIPTION = (
    "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML "
    "marshalling and unmarshalling, it produces or consumes the inner type.  This allows you "
    "to have, for example, a JSON field that can accept a name or number."
)
QUANTITY_DESCRIPTION = (
    "Quantity is a fixed-point representation of a number. It provides convenient "
    "marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() "
    "accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n"
    "\t(Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n\n"
    "<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> "
    "<number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            "
    "::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          "
    "::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n"
    "\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n"
    "<decimalSI>       ::= m | \"\" | k | M | G | T | P | E\n\n"
    "\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n\n"
    "<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```\n\n"
    "No matter which of the three exponent forms is used, no quantity may represent a number "
    "greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers "
    "larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) "
    "This may be extended in the future if we require larger or smaller quantities."
)


class GenerationError(Exception):
    pass


def find_schema_folder() -> Path:
    try:
        import kubernetes_validate  # noqa: F401  (only to locate its data)
    except ImportError as error:
        raise GenerationError(
            f"kubernetes-validate is not installed (pip install kubernetes-validate=={KUBERNETES_VALIDATE_VERSION})"
        ) from error
    from importlib import metadata

    installed = metadata.version("kubernetes-validate")
    if installed != KUBERNETES_VALIDATE_VERSION:
        print(f"warning: kubernetes-validate {installed} is installed; this script was written against "
              f"{KUBERNETES_VALIDATE_VERSION}", file=sys.stderr)
    folder = Path(os.path.dirname(kubernetes_validate.__file__)) / "kubernetes-json-schema" / SCHEMA_FOLDER
    if not folder.is_dir():
        raise GenerationError(f"{folder} does not exist: kubernetes-validate {installed} has no Kubernetes 1.32 schemas")
    return folder


def load_definitions(folder: Path) -> dict:
    path = folder / "_definitions.json"
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)["$defs"]
    except (OSError, KeyError, json.JSONDecodeError) as error:
        raise GenerationError(f"cannot read {path}: {error}") from error


def kind_index(definitions: dict) -> dict:
    """(group, version, kind) -> definition name, for every definition that is a kind.

    A definition naming several kinds (DeleteOptions, WatchEvent) is shared plumbing, not a
    kind of its own, and is left out.
    """
    index = {}
    for name, definition in definitions.items():
        gvks = definition.get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1:
            continue
        gvk = gvks[0]
        index[(gvk.get("group", ""), gvk["version"], gvk["kind"])] = name
    return index


def without_null(type_value):
    if isinstance(type_value, list):
        kept = [item for item in type_value if item != "null"]
        return kept[0] if len(kept) == 1 else kept
    return type_value


def convert_reference(reference: str, referenced: set) -> str:
    if not reference.startswith(SOURCE_PREFIX):
        raise GenerationError(f"unexpected reference {reference!r}")
    name = reference[len(SOURCE_PREFIX):]
    referenced.add(name)
    return TARGET_PREFIX + name


def convert(schema: dict, referenced: set, is_kind: bool = False) -> dict:
    """One schema node in the server's OpenAPI v3 shape (see the module docstring)."""
    if "$ref" in schema:
        result = {"$ref": convert_reference(schema["$ref"], referenced)}
        for key, value in schema.items():
            if key == "description" or key.startswith("x-kubernetes-"):
                result[key] = value
        return result
    result = {}
    for key, value in schema.items():
        if key in ("$schema", "$id"):
            continue
        if key == "type":
            result["type"] = without_null(value)
        elif key == "additionalProperties":
            if isinstance(value, dict):
                result[key] = convert(value, referenced)
            # `false` is dropped: a struct is known by its properties.
        elif key == "properties":
            properties = {}
            for name, child in value.items():
                child = convert(child, referenced)
                if is_kind and name in ("apiVersion", "kind"):
                    child.pop("enum", None)
                properties[name] = child
            result[key] = properties
        elif key in ("items", "not"):
            result[key] = convert(value, referenced)
        elif key in ("allOf", "anyOf", "oneOf"):
            result[key] = [convert(item, referenced) for item in value]
        else:
            result[key] = value
    return result


def convert_definition(name: str, definition: dict, referenced: set) -> dict:
    description = definition.get("description")
    if name == INT_OR_STRING:
        return {"description": INT_OR_STRING_DESCRIPTION, "format": "int-or-string",
                "x-kubernetes-int-or-string": True}
    if name == QUANTITY:
        return {"description": QUANTITY_DESCRIPTION, "format": "quantity",
                "oneOf": [{"type": "string"}, {"type": "number"}]}
    if name in FREE_FORM_OBJECTS or name in FREE_FORM_VALUES:
        result = {"description": description} if description else {}
        if name in FREE_FORM_OBJECTS:
            result["type"] = "object"
        result["x-kubernetes-preserve-unknown-fields"] = True
        return result
    is_kind = bool(definition.get("x-kubernetes-group-version-kind"))
    return convert(definition, referenced, is_kind=is_kind)


def generate(definitions: dict, kinds: list) -> dict:
    index = kind_index(definitions)
    entries = []
    for group, version, kind in kinds:
        name = index.get((group, version, kind))
        if name is None:
            raise GenerationError(f"kubernetes-validate has no schema for {group or 'core'}/{version} {kind}")
        entries.append({"group": group, "version": version, "kind": kind, "definition": name})

    converted = {}
    pending = [entry["definition"] for entry in entries]
    while pending:
        name = pending.pop()
        if name in converted:
            continue
        if name not in definitions:
            raise GenerationError(f"definition {name} is referenced but missing")
        referenced = set()
        converted[name] = convert_definition(name, definitions[name], referenced)
        pending.extend(sorted(referenced - converted.keys()))

    return {
        "source": {
            "package": "kubernetes-validate",
            "packageVersion": KUBERNETES_VALIDATE_VERSION,
            "kubernetesVersion": KUBERNETES_VERSION,
            "folder": SCHEMA_FOLDER,
            "generator": "scripts/generate-builtin-schemas.py",
        },
        "kinds": sorted(entries, key=lambda entry: (entry["group"], entry["version"], entry["kind"])),
        "definitions": {name: converted[name] for name in sorted(converted)},
    }


def parse_kind(text: str) -> tuple:
    parts = text.split("/")
    if len(parts) == 2:  # v1/Pod
        return ("", parts[0], parts[1])
    if len(parts) == 3:  # apps/v1/Deployment
        return (parts[0], parts[1], parts[2])
    raise argparse.ArgumentTypeError(f"{text!r}: expected GROUP/VERSION/KIND or VERSION/KIND (core)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", action="append", type=parse_kind, default=[],
                        help="another kind to include, GROUP/VERSION/KIND (apps/v1/Deployment) or v1/KIND")
    parser.add_argument("--all-kinds", action="store_true", help="every kind kubernetes-validate has a schema for")
    parser.add_argument("--schemas", type=Path, help=f"kubernetes-validate's {SCHEMA_FOLDER} folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    arguments = parser.parse_args()

    try:
        folder = arguments.schemas or find_schema_folder()
        definitions = load_definitions(folder)
        kinds = list(KINDS)
        if arguments.all_kinds:
            kinds = sorted(kind_index(definitions))
        for kind in arguments.kind:
            if kind not in kinds:
                kinds.append(kind)
        document = generate(definitions, kinds)
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=False) + "\n"
    if arguments.check:
        try:
            current = arguments.out.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            print(f"{arguments.out} is missing or out of date: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(text, encoding="utf-8")
    print(f"wrote {arguments.out}: {len(document['kinds'])} kinds, {len(document['definitions'])} definitions, "
          f"{len(text.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
