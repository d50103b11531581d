#!/usr/bin/env python3
"""Writes Swift protobuf schema tables (KubernetesProtobufSchemas+<group>.swift) from
kubernetes/api's generated.proto (field numbers, types) and types.go (JSON names, pointer
fields, omitempty), for the messages reachable from the given root kinds.

Input: a git clone of github.com/kubernetes/api with the tag v0.32.0 (the tables match
Kubernetes 1.32); its path comes from KUBERNETES_API_REPO (default: the workplace mirror that
`fetch github:kubernetes/api` creates). The written files are committed; run this only to
add kinds or move to a newer Kubernetes."""
import os, re, subprocess, sys, json

REPO = os.environ.get("KUBERNETES_API_REPO", "/work/.mirror/kubernetes+api/repo")
PKGS = {"core": "core/v1", "apps": "apps/v1", "batch": "batch/v1", "rbac": "rbac/v1",
        "networking": "networking/v1", "policy": "policy/v1"}
PROTO_PKG = {f".k8s.io.api.{v.replace('/', '.')}": k for k, v in PKGS.items()}

def show(path):
    return subprocess.run(["git", "-C", REPO, "show", f"v0.32.0:{path}"], capture_output=True, text=True, check=True).stdout

def parse_proto(text):
    messages = {}
    for m in re.finditer(r"^message (\w+) \{(.*?)^\}", text, re.S | re.M):
        fields = []
        for line in m.group(2).splitlines():
            line = line.strip()
            if line.startswith("//") or not line:
                continue
            f = re.match(r"(optional|repeated)\s+(\S+)\s+(\w+)\s*=\s*(\d+);", line)
            g = re.match(r"map<\s*string\s*,\s*(\S+)\s*>\s+(\w+)\s*=\s*(\d+);", line)
            if f:
                fields.append(dict(label=f.group(1), type=f.group(2), name=f.group(3), number=int(f.group(4))))
            elif g:
                fields.append(dict(label="map", type=g.group(1), name=g.group(2), number=int(g.group(3))))
        messages[m.group(1)] = fields
    return messages

def parse_types(text):
    """struct -> {proto number: (json name, pointer, omitempty, inline)}"""
    structs = {}
    for m in re.finditer(r"^type (\w+) struct \{(.*?)^\}", text, re.S | re.M):
        info = {}
        for line in m.group(2).splitlines():
            f = re.match(r'\s*(?:(\w+)\s+)?(\S+)\s+`json:"([^"]*)"[^`]*?protobuf:"([^"]*)"', line)
            if not f:
                continue
            tag = f.group(3).split(",")
            proto = f.group(4).split(",")
            number = int(proto[1])
            info[number] = (tag[0], f.group(2).startswith("*"), "omitempty" in tag[1:], "inline" in tag[1:])
        structs[m.group(1)] = info
    return structs

protos = {k: parse_proto(show(f"{v}/generated.proto")) for k, v in PKGS.items()}
types = {k: parse_types(show(f"{v}/types.go")) for k, v in PKGS.items()}
# core's types live in more than one file in newer trees
for extra in ["core/v1/types.go"]:
    pass

WELL_KNOWN = {
    ".k8s.io.apimachinery.pkg.apis.meta.v1.Time": ".time",
    ".k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": ".microTime",
    ".k8s.io.apimachinery.pkg.api.resource.Quantity": ".quantity",
    ".k8s.io.apimachinery.pkg.util.intstr.IntOrString": ".intOrString",
    ".k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta": '.message("meta.ObjectMeta")',
    ".k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector": '.message("meta.LabelSelector")',
    ".k8s.io.apimachinery.pkg.apis.meta.v1.Condition": '.message("meta.Condition")',
}
SCALARS = {"string": ".string", "bytes": ".bytes", "bool": ".bool", "int32": ".int32", "int64": ".int64"}

existing = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else set()
roots = [r.split(".") for r in sys.argv[1].split(",")]
needed = {}   # (pkg, msg) -> fields
order = []
missing = set()

def resolve(pkg, t):
    if t in SCALARS:
        return SCALARS[t], None
    if t in WELL_KNOWN:
        return WELL_KNOWN[t], None
    if t.startswith("."):
        prefix, name = t.rsplit(".", 1)
        if prefix not in PROTO_PKG:
            missing.add(t)
            return ".ignored", None
        return f'.message("{PROTO_PKG[prefix]}.{name}")', (PROTO_PKG[prefix], name)
    return f'.message("{pkg}.{t}")', (pkg, t)

def visit(pkg, name):
    key = (pkg, name)
    if key in needed or f"{pkg}.{name}" in existing and key not in [tuple(r) for r in roots]:
        return
    if f"{pkg}.{name}" in existing:
        return
    fields = protos[pkg][name]
    needed[key] = []
    order.append(key)
    info = types[pkg].get(name, {})
    for f in fields:
        swift, ref = resolve(pkg, f["type"])
        if f["label"] == "repeated":
            swift = f".repeated({swift})"
        elif f["label"] == "map":
            swift = f".map({swift})"
        jsonName, pointer, omitempty, inline = info.get(f["number"], (f["name"], False, True, False))
        if f["number"] not in info:
            print(f"warning: {pkg}.{name} field {f['number']} {f['name']} not in types.go", file=sys.stderr)
        if inline:
            jsonName = ""
        keep = (pointer or not omitempty) and f["label"] == "optional" and swift in (".string", ".bool", ".int32", ".int64", ".bytes")
        needed[key].append((f["number"], jsonName, swift, keep))
        if ref:
            visit(*ref)

for pkg, name in roots:
    visit(pkg, name)

by_pkg = {}
for key in order:
    by_pkg.setdefault(key[0], []).append(key)
out = {}
for pkg, keys in by_pkg.items():
    lines = []
    for (p, name) in keys:
        lines.append(f'        ProtobufMessageSchema("{p}.{name}", [')
        for number, jsonName, swift, keep in needed[(p, name)]:
            presence = ", .keepZero" if keep else ""
            lines.append(f'            field({number}, "{jsonName}", {swift}{presence}),')
        lines.append("        ]),")
    out[pkg] = "\n".join(lines)
json.dump(out, open("/tmp/e1/generated.json", "w"))
print("missing:", sorted(missing), file=sys.stderr)
print({k: len(v) for k, v in by_pkg.items()}, file=sys.stderr)
