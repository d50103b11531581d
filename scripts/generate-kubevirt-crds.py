#!/usr/bin/env python3
"""Generates the KubeVirt and CDI CustomResourceDefinitions Virtyard serves, from their API schemas.

Usage: scripts/generate-kubevirt-crds.py [--swagger FILE] [--cdi-swagger FILE] [--out DIR] [--check]

Reads KubeVirt's and CDI's (Containerized Data Importer) Swagger 2.0 documents (defaults:
../shared/schemas/kubevirt.swagger.json and ../shared/schemas/cdi.swagger.json, relative to the
repository root) and writes one apiextensions.k8s.io/v1 CRD per kind into
Sources/Simulation/CRDs/ (named <group>_<plural>.yaml), for the kinds in CRDS below: the
KubeVirt kinds from KubeVirt's document, DataVolume from CDI's. With --check nothing is written:
the exit status is 1 when a file is missing or differs.

Names, short names, categories, subresources and printer columns copy the projects' own CRDs:
KubeVirt's (kubevirt/kubevirt pkg/virt-operator/resource/generate/components/crds.go) and CDI's
(kubevirt/containerized-data-importer pkg/apis/core/v1beta1/types.go kubebuilder markers, as
controller-gen writes them into pkg/operator/resources/crds_generated.go). Each CRD carries its
project's label (`kubevirt.io: ""` or `cdi.kubevirt.io: ""`). Each schema is the kind's Swagger
definition with every $ref inlined, turned into a structural OpenAPI v3 schema the way
controller-gen would write it:

- descriptions and `default`s are dropped. The Swagger defaults are openapi-gen's zero values
  (`default: ""`, `default: {}`), not defaults the projects' CRDs declare: kept, they would make
  the API server fill empty strings and objects into every object;
- Quantity (`type: [string, integer, number]`, or plain `type: string` in CDI's document) and
  IntOrString / `type: [string, number]` become `x-kubernetes-int-or-string: true` with
  `anyOf: [{type: integer}, {type: string}]` (and, for Quantity, the Kubernetes quantity
  `pattern`), as in KubeVirt's and CDI's CRDs;
- Time and MicroTime become `type: string, format: date-time`; a `type: [string, null]`
  becomes `type: string, nullable: true` (with `format: date-time` for the *Time/*Timestamp
  fields, which are all metav1.Time);
- the root `metadata` is `type: object`; an embedded ObjectMeta (template metadata, data
  volume templates, snapshotted VMs) is `type: object, nullable: true,
  x-kubernetes-preserve-unknown-fields: true`, as KubeVirt's types mark it;
- RawExtension and FieldsV1 (arbitrary JSON) become `type: object` +
  `x-kubernetes-preserve-unknown-fields: true`; a definition that refers to itself gets the
  same at the point of recursion (there are none in these kinds today);
- an object definition with no properties (KubeVirt's empty marker structs: `bridge: {}`,
  `masquerade: {}`, `blank: {}` …) stays a plain `type: object`, as in KubeVirt's CRDs, so
  unknown fields inside it are pruned as a real cluster prunes them;
- `required`, `enum`, `nullable`, `additionalProperties`, `format` (int32, int64, float,
  double, date-time, date, byte) and `x-kubernetes-list-type` / `-list-map-keys` /
  `-map-type` are kept; `x-kubernetes-patch-*` (not CRD schema fields) are dropped;
- validation a project's CRD declares but its Swagger lacks (kubebuilder markers openapi-gen
  does not carry over, e.g. the enum of DataVolume's `spec.contentType`) is added per kind
  (`schema_extras` in CRDS).

KubeVirt's document names the Kubernetes types in full (k8s.io.apimachinery.pkg.api.resource.
Quantity); CDI's uses the short openapi-gen names (resource.Quantity, v1.Time, v1.ObjectMeta),
mapped onto the full ones per document (`aliases` in SOURCES).

The VolumeSnapshot CRDs next to these files are not generated: they are the
kubernetes-csi/external-snapshotter CRDs, copied from ../shared/schemas/.

Needs Python 3 and PyYAML.
"""
import argparse
import copy
import hashlib
import json
import os
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SWAGGER = os.path.join(REPO, "..", "shared", "schemas", "kubevirt.swagger.json")
DEFAULT_CDI_SWAGGER = os.path.join(REPO, "..", "shared", "schemas", "cdi.swagger.json")
DEFAULT_OUT = os.path.join(REPO, "Sources", "Simulation", "CRDs")

CREATION = ".metadata.creationTimestamp"
PHASE = ".status.phase"
READY = ".status.conditions[?(@.type=='Ready')].status"


def column(name, type_, path, description=None, priority=None):
    out = {"jsonPath": path, "name": name, "type": type_}
    if description:
        out["description"] = description
    if priority:
        out["priority"] = priority
    return dict(sorted(out.items()))


# The kinds, as KubeVirt's crds.go and CDI's kubebuilder markers define them. `source` names
# the Swagger document (SOURCES) the schema comes from. `status_subresource`:
# VirtualMachineInstance has none in KubeVirt (virt-controller and virt-handler write VMI status
# through the main resource), so it has none here either; every other kind has one.
# `schema_extras`: keywords merged into the generated schema at a property path, for
# validation the project's CRD has and its Swagger lacks.
CRDS = [
    {
        "source": "kubevirt",
        "definition": "v1.VirtualMachine",
        "group": "kubevirt.io", "version": "v1",
        "kind": "VirtualMachine", "plural": "virtualmachines", "singular": "virtualmachine",
        "shortNames": ["vm", "vms"], "categories": ["all"],
        "status_subresource": True,
        "columns": [
            column("Age", "date", CREATION),
            column("Status", "string", ".status.printableStatus", description="Human Readable Status"),
            column("Ready", "string", READY),
        ],
    },
    {
        "source": "kubevirt",
        "definition": "v1.VirtualMachineInstance",
        "group": "kubevirt.io", "version": "v1",
        "kind": "VirtualMachineInstance", "plural": "virtualmachineinstances", "singular": "virtualmachineinstance",
        "shortNames": ["vmi", "vmis"], "categories": ["all"],
        "status_subresource": False,
        "columns": [
            column("Age", "date", CREATION),
            column("Phase", "string", PHASE),
            column("IP", "string", ".status.interfaces[0].ipAddress"),
            column("NodeName", "string", ".status.nodeName"),
            column("Ready", "string", READY),
            column("Live-Migratable", "string", ".status.conditions[?(@.type=='LiveMigratable')].status", priority=1),
            column("Paused", "string", ".status.conditions[?(@.type=='Paused')].status", priority=1),
        ],
    },
    {
        "source": "kubevirt",
        "definition": "v1.VirtualMachineInstanceMigration",
        "group": "kubevirt.io", "version": "v1",
        "kind": "VirtualMachineInstanceMigration", "plural": "virtualmachineinstancemigrations",
        "singular": "virtualmachineinstancemigration",
        "shortNames": ["vmim", "vmims"], "categories": ["all"],
        "status_subresource": True,
        "columns": [
            column("Phase", "string", PHASE, description="The current phase of VM instance migration"),
            column("VMI", "string", ".spec.vmiName", description="The name of the VMI to perform the migration on"),
        ],
    },
    {
        "source": "kubevirt",
        "definition": "v1beta1.VirtualMachineSnapshot",
        "group": "snapshot.kubevirt.io", "version": "v1beta1",
        "kind": "VirtualMachineSnapshot", "plural": "virtualmachinesnapshots", "singular": "virtualmachinesnapshot",
        "shortNames": ["vmsnapshot", "vmsnapshots"], "categories": ["all"],
        "status_subresource": True,
        "columns": [
            column("SourceKind", "string", ".spec.source.kind"),
            column("SourceName", "string", ".spec.source.name"),
            column("Phase", "string", PHASE),
            column("ReadyToUse", "boolean", ".status.readyToUse"),
            column("CreationTime", "date", ".status.creationTime"),
            column("Error", "string", ".status.error.message"),
        ],
    },
    {
        "source": "kubevirt",
        "definition": "v1beta1.VirtualMachineSnapshotContent",
        "group": "snapshot.kubevirt.io", "version": "v1beta1",
        "kind": "VirtualMachineSnapshotContent", "plural": "virtualmachinesnapshotcontents",
        "singular": "virtualmachinesnapshotcontent",
        "shortNames": ["vmsnapshotcontent", "vmsnapshotcontents"], "categories": ["all"],
        "status_subresource": True,
        "columns": [
            column("ReadyToUse", "boolean", ".status.readyToUse"),
            column("CreationTime", "date", ".status.creationTime"),
            column("Error", "string", ".status.error.message"),
        ],
    },
    {
        "source": "kubevirt",
        "definition": "v1beta1.VirtualMachineRestore",
        "group": "snapshot.kubevirt.io", "version": "v1beta1",
        "kind": "VirtualMachineRestore", "plural": "virtualmachinerestores", "singular": "virtualmachinerestore",
        "shortNames": ["vmrestore", "vmrestores"], "categories": ["all"],
        "status_subresource": True,
        # Older KubeVirt releases also had an Error column (.status.error.message); the
        # restore status has no `error` field, and current KubeVirt dropped the column.
        "columns": [
            column("TargetKind", "string", ".spec.target.kind"),
            column("TargetName", "string", ".spec.target.name"),
            column("Complete", "boolean", ".status.complete"),
            column("RestoreTime", "date", ".status.restoreTime"),
        ],
    },
    # CDI's DataVolume: kubebuilder markers on the type in pkg/apis/core/v1beta1/types.go
    # (+kubebuilder:resource:shortName=dv;dvs,categories=all, +kubebuilder:printcolumn ×4);
    # CDI's generated CRD (pkg/operator/resources/crds_generated.go) has the status subresource.
    {
        "source": "cdi",
        "definition": "v1beta1.DataVolume",
        "group": "cdi.kubevirt.io", "version": "v1beta1",
        "kind": "DataVolume", "plural": "datavolumes", "singular": "datavolume",
        "shortNames": ["dv", "dvs"], "categories": ["all"],
        "status_subresource": True,
        "columns": [
            column("Phase", "string", PHASE, description="The phase the data volume is in"),
            column("Progress", "string", ".status.progress",
                   description="Transfer progress in percentage if known, N/A otherwise"),
            column("Restarts", "integer", ".status.restartCount",
                   description="The number of times the transfer has been restarted."),
            column("Age", "date", CREATION),
        ],
        # +kubebuilder:validation:Enum="kubevirt";"archive" on DataVolumeSpec.ContentType.
        "schema_extras": {("spec", "contentType"): {"enum": ["kubevirt", "archive"]}},
    },
]

# The Swagger documents (--swagger, --cdi-swagger): the label their CRDs carry, and the short
# definition names a document uses for the Kubernetes types handled specially below.
SOURCES = {
    "kubevirt": {"label": "kubevirt.io", "aliases": {}},
    "cdi": {
        "label": "cdi.kubevirt.io",
        "aliases": {
            "resource.Quantity": "k8s.io.apimachinery.pkg.api.resource.Quantity",
            "intstr.IntOrString": "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
            "v1.ObjectMeta": "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            "v1.Time": "k8s.io.apimachinery.pkg.apis.meta.v1.Time",
            "v1.MicroTime": "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
            "runtime.RawExtension": "k8s.io.apimachinery.pkg.runtime.RawExtension",
            "v1.FieldsV1": "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1",
        },
    },
}

QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
OBJECT_META = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"
TIMES = {"k8s.io.apimachinery.pkg.apis.meta.v1.Time", "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"}
OPAQUE = {"k8s.io.apimachinery.pkg.runtime.RawExtension", "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"}

# What Kubernetes' resource.Quantity accepts, as controller-gen writes it into CRDs.
QUANTITY_PATTERN = (r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|"
                    r"([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$")

# Formats worth keeping, per type; others (openapi-gen's `int-or-string`, `byte` on an
# integer) are dropped.
FORMATS = {
    "integer": {"int32", "int64"},
    "number": {"float", "double"},
    "string": {"date-time", "date", "byte"},
}

# Swagger keywords copied as they are (after the checks below).
COPIED = ("enum", "nullable", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
          "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
          "minProperties", "maxProperties",
          "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type")

# Dropped without a word; anything else unexpected stops the generator.
IGNORED = ("description", "default", "example", "title", "x-kubernetes-patch-strategy",
           "x-kubernetes-patch-merge-key")


class Converter:
    def __init__(self, definitions, aliases=None):
        self.definitions = definitions
        self.aliases = aliases or {}  # short definition name -> full Kubernetes name
        self.quirks = {}  # name -> count, for the summary

    def note(self, what):
        self.quirks[what] = self.quirks.get(what, 0) + 1

    @staticmethod
    def int_or_string():
        return {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True}

    def resolve(self, name, stack, field):
        name = self.aliases.get(name, name)
        if name == QUANTITY:
            self.note("Quantity -> int-or-string + pattern")
            schema = self.int_or_string()
            schema["pattern"] = QUANTITY_PATTERN
            return dict(sorted(schema.items()))
        if name == INT_OR_STRING:
            self.note("IntOrString -> int-or-string")
            return self.int_or_string()
        if name in TIMES:
            self.note("Time/MicroTime -> string date-time")
            return {"format": "date-time", "type": "string"}
        if name == OBJECT_META:
            self.note("embedded ObjectMeta -> object, nullable, preserve-unknown-fields")
            return {"nullable": True, "type": "object", "x-kubernetes-preserve-unknown-fields": True}
        if name in OPAQUE:
            self.note("RawExtension/FieldsV1 -> object, preserve-unknown-fields")
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        if name in stack:
            self.note("recursive $ref -> object, preserve-unknown-fields")
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        if name not in self.definitions:
            raise SystemExit("unresolved $ref %s" % name)
        return self.convert(self.definitions[name], stack + (name,), field)

    def convert(self, node, stack, field=""):
        """A structural schema for one Swagger schema node; `field` names the property."""
        if not isinstance(node, dict):
            raise SystemExit("schema node is not an object under %s: %r" % ("/".join(stack), node))
        if "$ref" in node:
            schema = self.resolve(node["$ref"].rsplit("/", 1)[-1], stack, field)
            # Siblings of a $ref (description, default; x-kubernetes-list-type in
            # Status.details) refine the target.
            extra = {k: v for k, v in node.items() if k in COPIED}
            if extra:
                schema = dict(sorted(dict(schema, **extra).items()))
            return schema

        unknown = set(node) - set(COPIED) - set(IGNORED) - {"type", "format", "properties", "items",
                                                             "additionalProperties", "required"}
        if unknown:
            raise SystemExit("unsupported keywords %s under %s" % (sorted(unknown), "/".join(stack)))

        schema = {}
        types = node.get("type")
        if isinstance(types, list):
            types = [t for t in types if t != "null"]
            if len(types) < len(node["type"]):
                schema["nullable"] = True
                self.note("type [.., null] -> nullable")
            if set(types) in ({"string", "integer"}, {"string", "number"}, {"string", "integer", "number"}):
                self.note("type [string, number] -> int-or-string")
                schema.update(self.int_or_string())
                types = None
            elif len(types) == 1:
                types = types[0]
            else:
                raise SystemExit("cannot map type %s under %s" % (node["type"], "/".join(stack)))
            if types == "string" and schema.get("nullable") and field.endswith(("Time", "Timestamp")):
                schema["format"] = "date-time"
        if types is None and "x-kubernetes-int-or-string" not in schema:
            if "properties" in node or "additionalProperties" in node:
                types = "object"
            elif "items" in node:
                types = "array"
        if types == "string" and node.get("format") == "int-or-string":
            self.note("type string, format int-or-string -> int-or-string")
            schema.update(self.int_or_string())
            types = None
        if types:
            schema["type"] = types
        fmt = node.get("format")
        if fmt and types in FORMATS and fmt in FORMATS[types]:
            schema["format"] = fmt
        for key in COPIED:
            if key in node:
                schema[key] = copy.deepcopy(node[key])

        if "properties" in node:
            schema["properties"] = {
                name: self.convert(prop, stack, name) for name, prop in sorted(node["properties"].items())
            }
        if node.get("required"):
            schema["required"] = list(node["required"])
        if "items" in node:
            schema["items"] = self.convert(node["items"], stack, field)
        if "additionalProperties" in node:
            extra = node["additionalProperties"]
            schema["additionalProperties"] = extra if isinstance(extra, bool) else self.convert(extra, stack, field)

        if not schema.get("type") and not schema.get("x-kubernetes-int-or-string") \
                and not schema.get("x-kubernetes-preserve-unknown-fields"):
            self.note("untyped schema -> object, preserve-unknown-fields")
            schema.update({"type": "object", "x-kubernetes-preserve-unknown-fields": True})
        return dict(sorted(schema.items()))

    def root(self, name):
        definition = self.definitions[name]
        properties = {}
        for prop, node in sorted(definition["properties"].items()):
            if prop == "metadata":
                properties[prop] = {"type": "object"}
            elif prop in ("apiVersion", "kind"):
                properties[prop] = {"type": "string"}
            else:
                properties[prop] = self.convert(node, (name,), prop)
        schema = {"properties": properties, "type": "object"}
        if definition.get("required"):
            schema["required"] = list(definition["required"])
        return dict(sorted(schema.items()))


def add_extras(schema, extras, kind):
    """Merges `schema_extras` ({(property, …): {keyword: value}}) into a root schema."""
    for path, keywords in sorted(extras.items()):
        node = schema
        for prop in path:
            if prop not in node.get("properties", {}):
                raise SystemExit("%s: schema_extras path %s not in the schema" % (kind, ".".join(path)))
            node = node["properties"][prop]
        merged = dict(sorted(dict(node, **copy.deepcopy(keywords)).items()))
        node.clear()
        node.update(merged)
    return schema


def crd(spec, converter):
    schema = add_extras(converter.root(spec["definition"]), spec.get("schema_extras", {}), spec["kind"])
    version = {
        "name": spec["version"],
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": schema},
    }
    if spec["status_subresource"]:
        version["subresources"] = {"status": {}}
    if spec["columns"]:
        version["additionalPrinterColumns"] = spec["columns"]
    version = dict(sorted(version.items()))
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "%s.%s" % (spec["plural"], spec["group"]),
            "labels": {SOURCES[spec["source"]]["label"]: ""},
        },
        "spec": {
            "group": spec["group"],
            "names": {
                "kind": spec["kind"],
                "listKind": spec["kind"] + "List",
                "plural": spec["plural"],
                "singular": spec["singular"],
                "shortNames": spec["shortNames"],
                "categories": spec["categories"],
            },
            "scope": "Namespaced",
            "versions": [version],
        },
    }


class Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, no anchors for repeated subtrees."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def render(manifest, source):
    header = ("# Generated by scripts/generate-kubevirt-crds.py from %s; do not edit.\n"
              "# Regenerate with: python3 scripts/generate-kubevirt-crds.py\n" % source)
    body = yaml.dump(manifest, Dumper=Dumper, sort_keys=False, default_flow_style=False,
                     width=4096, allow_unicode=False)
    return header + "---\n" + body


def source_label(path):
    """`kubevirt.swagger.json (kubevirt/kubevirt@<commit>, sha256 <prefix>)`, from the README
    next to the schema when it lists the file."""
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    name = os.path.basename(path)
    commit = None
    readme = os.path.join(os.path.dirname(path), "README.md")
    if os.path.exists(readme):
        for line in open(readme, encoding="utf-8"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 4 and cells[0] == name:
                commit = "%s@%s" % (cells[1], cells[3])
    return "%s (%ssha256 %s)" % (name, commit + ", " if commit else "", digest)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--swagger", default=DEFAULT_SWAGGER, help="KubeVirt swagger.json (default: %(default)s)")
    parser.add_argument("swagger_positional", nargs="?", metavar="SWAGGER", help="same as --swagger")
    parser.add_argument("--cdi-swagger", default=DEFAULT_CDI_SWAGGER,
                        help="CDI swagger.json (default: %(default)s)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is missing or differs")
    args = parser.parse_args(argv)
    swaggers = {"kubevirt": args.swagger_positional or args.swagger, "cdi": args.cdi_swagger}

    converters, sources = {}, {}
    for name, swagger in swaggers.items():
        with open(swagger, encoding="utf-8") as f:
            document = json.load(f)
        converters[name] = Converter(document["definitions"], SOURCES[name]["aliases"])
        sources[name] = source_label(swagger)

    stale = []
    for spec in CRDS:
        text = render(crd(spec, converters[spec["source"]]), sources[spec["source"]])
        path = os.path.join(args.out, "%s_%s.yaml" % (spec["group"], spec["plural"]))
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current == text:
            status = "unchanged"
        elif args.check:
            status = "STALE"
            stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            status = "written"
        print("%-9s %s (%d bytes)" % (status, os.path.relpath(path), len(text.encode("utf-8"))))
    for name, converter in converters.items():
        print("%s swagger quirks handled: %s" % (
            name, ", ".join("%s ×%d" % item for item in sorted(converter.quirks.items()))))
    if stale:
        print("out of date: run scripts/generate-kubevirt-crds.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
