import Testing

@testable import KubeModel

@Suite struct LabelSelectorTests {
    @Test func parsesEveryOperatorAndSortsByKey() throws {
        let selector = try LabelSelector(parsing: "track,env in (staging, prod),!canary,tier!=db,app==web,zone=,size notin (s),n>3,m<10")
        #expect(
            selector.requirements == [
                .init(key: "app", op: .equals, values: ["web"]),
                .init(key: "canary", op: .doesNotExist),
                .init(key: "env", op: .in, values: ["prod", "staging"]),
                .init(key: "m", op: .lessThan, values: ["10"]),
                .init(key: "n", op: .greaterThan, values: ["3"]),
                .init(key: "size", op: .notIn, values: ["s"]),
                .init(key: "tier", op: .notEquals, values: ["db"]),
                .init(key: "track", op: .exists),
                .init(key: "zone", op: .equals, values: [""]),
            ])
        #expect(selector.description == "app=web,!canary,env in (prod,staging),m<10,n>3,size notin (s),tier!=db,track,zone=")
    }

    @Test func toleratesWhitespace() throws {
        let selector = try LabelSelector(parsing: "  app = web ,  tier notin ( a , b ) ,x==y  ")
        #expect(selector.description == "app=web,tier notin (a,b),x=y")
        #expect(selector == (try LabelSelector(parsing: "x=y,tier notin (b,a),app=web")))
    }

    @Test func emptyTextSelectsEverything() throws {
        let selector = try LabelSelector(parsing: "   ")
        #expect(selector.isEmpty)
        #expect(selector == .everything)
        #expect(selector.matches([:]))
        #expect(selector.matches(["any": "thing"]))
    }

    @Test func matchesLikeKubernetes() throws {
        let selector = try LabelSelector(parsing: "env in (prod,staging),tier!=db,!canary")
        #expect(selector.matches(["env": "prod", "tier": "web"]))
        #expect(selector.matches(["env": "staging"]))
        #expect(!selector.matches(["env": "dev"]))
        #expect(!selector.matches(["env": "prod", "tier": "db"]))
        #expect(!selector.matches(["env": "staging", "canary": "true"]))
        #expect(!selector.matches([:]))

        #expect(try LabelSelector(parsing: "env notin (dev)").matches([:]))
        #expect(!(try LabelSelector(parsing: "env notin (dev)").matches(["env": "dev"])))
        #expect(try LabelSelector(parsing: "track").matches(["track": ""]))
        #expect(!(try LabelSelector(parsing: "track").matches([:])))
        #expect(try LabelSelector(parsing: "k=").matches(["k": ""]))
        #expect(!(try LabelSelector(parsing: "k=").matches([:])))
    }

    @Test func emptyParenthesesMeanTheEmptyValue() throws {
        let selector = try LabelSelector(parsing: "k in ()")
        #expect(selector.requirements == [.init(key: "k", op: .in, values: [""])])
        #expect(selector.matches(["k": ""]))
        #expect(!selector.matches(["k": "x"]))
        #expect(!selector.matches([:]))
    }

    @Test func comparesNumbersWithGreaterAndLess() throws {
        let greater = try LabelSelector(parsing: "replicas>3")
        #expect(greater.matches(["replicas": "4"]))
        #expect(!greater.matches(["replicas": "3"]))
        #expect(!greater.matches(["replicas": "many"]))
        #expect(!greater.matches([:]))
        #expect(try LabelSelector(parsing: "replicas<3").matches(["replicas": "-2"]))
    }

    @Test func acceptsPrefixedKeys() throws {
        let selector = try LabelSelector(parsing: "app.kubernetes.io/name=web,kubevirt.io/domain in (vm-1)")
        #expect(selector.matches(["app.kubernetes.io/name": "web", "kubevirt.io/domain": "vm-1"]))
    }

    @Test func refusesBadSyntaxNamingTheBadPart() {
        let longName = String(repeating: "a", count: 64)
        let cases: [(String, String)] = [
            ("app=web,", "found 'end of string', expected: identifier after ','"),
            ("app in web", "found 'web' after \"app\" in/notin, expected: '('"),
            ("=x", "found '=', expected: !, identifier"),
            ("!", "found 'end of string', expected: identifier after '!'"),
            ("app=web value", "found 'value', expected: ',' or 'end of string'"),
            ("app in (a b)", "found 'b', expected: ',' or ')'"),
            ("replicas>x", "for '>' on \"replicas\", the value must be an integer, not \"x\""),
            (
                "app=-web",
                "invalid label value \"-web\": a valid label must be an empty string or consist of alphanumeric characters, "
                    + "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"
            ),
            (
                "example.com/-bad",
                "invalid label key \"example.com/-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')"
            ),
            (
                "Example.com/app=x",
                "invalid label key \"Example.com/app\": prefix part must be a lowercase RFC 1123 subdomain: lowercase alphanumeric "
                    + "characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com')"
            ),
            ("/app", "invalid label key \"/app\": prefix part must be non-empty"),
            ("\(longName)=x", "invalid label key \"\(longName)\": name part must be no more than 63 characters"),
            ("app=\(longName)", "invalid label value \"\(longName)\": must be no more than 63 characters"),
        ]
        for (text, reason) in cases {
            let error = #expect(throws: SelectorParseError.self) { try LabelSelector(parsing: text) }
            #expect(error == SelectorParseError(selector: text, reason: reason), "parsing \(text)")
        }
    }

    @Test func errorDescriptionQuotesTheSelector() {
        let error = #expect(throws: SelectorParseError.self) { try LabelSelector(parsing: "app=web,") }
        #expect(error?.description == "unable to parse selector \"app=web,\": found 'end of string', expected: identifier after ','")
    }

    @Test func readsMetaV1LabelSelector() throws {
        let selector = try LabelSelector(
            json: json(
                #"{"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend", "api"]}, {"key": "canary", "operator": "DoesNotExist"}, {"key": "zone", "operator": "Exists", "values": []}, {"key": "env", "operator": "NotIn", "values": ["dev"]}]}"#
            ))
        #expect(selector.description == "app=web,!canary,env notin (dev),tier in (api,frontend),zone")
        #expect(selector.matches(["app": "web", "tier": "api", "zone": "a"]))
        #expect(!selector.matches(["app": "web", "tier": "api"]))
        #expect(!selector.matches(["app": "web", "tier": "api", "zone": "a", "canary": "1"]))
        #expect(!selector.matches(["app": "web", "tier": "api", "zone": "a", "env": "dev"]))
    }

    @Test func nullSelectsNothingAndEmptySelectsEverything() throws {
        let nothing = try LabelSelector(json: .null)
        #expect(nothing == .nothing)
        #expect(!nothing.isEmpty)
        #expect(!nothing.matches([:]))
        #expect(!nothing.matches(["app": "web"]))

        let everything = try LabelSelector(json: [:])
        #expect(everything == .everything)
        #expect(everything.isEmpty)
        #expect(everything.matches(["app": "web"]))
    }

    @Test func refusesBadMetaV1Selectors() throws {
        let cases: [(String, String)] = [
            (
                #"{"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}"#,
                "matchExpressions[0].operator: \"Gt\" is not a valid label selector operator"
            ),
            (
                #"{"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}"#,
                "matchExpressions[0].values: for 'In', 'NotIn' operators, values set can't be empty"
            ),
            (
                #"{"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}"#,
                "matchExpressions[0].values: values set must be empty for exists and does not exist"
            ),
            (#"{"matchExpressions": [{"operator": "Exists"}]}"#, "matchExpressions[0].key: Required value"),
            (#"{"matchLabels": {"app": 3}}"#, "matchLabels[\"app\"] must be a string, not integer"),
            (#"{"matchLabels": "app=web"}"#, "matchLabels must be an object, not string"),
            (#""app=web""#, "a label selector must be an object, not string"),
        ]
        for (text, reason) in cases {
            let value = try json(text)
            let error = #expect(throws: SelectorParseError.self) { try LabelSelector(json: value) }
            #expect(error?.reason == reason, "reading \(text)")
            #expect(error?.selector == value.serializedString())
        }
    }

    @Test func matchLabelsInitializerEqualsParsedEquality() throws {
        #expect(LabelSelector(matchLabels: ["b": "2", "a": "1"]) == (try LabelSelector(parsing: "a=1,b==2")))
    }
}
