using k8s.Models;
using Navarch.Api.Scheduling;
using static Navarch.Api.Tests.Scheduling.NodeAffinityTestData;

namespace Navarch.Api.Tests.Scheduling;

public sealed class NodeSelectorMatcherTests
{
    // Node "node1" with labels foo=bar and kernel-version=0206, as kube-scheduler's NodeAffinity filter tests use.
    private static readonly V1Node Node1 = Node("node1", "foo", "bar", "kernel-version", "0206");

    public static TheoryData<string, V1NodeSelectorTerm[], bool> Cases => new()
    {
        { "In matches", [Term(Req("foo", "In", "bar", "value2"))], true },
        { "In does not match", [Term(Req("foo", "In", "other"))], false },
        { "In on a missing label", [Term(Req("missing", "In", "bar"))], false },
        { "NotIn", [Term(Req("foo", "NotIn", "value1", "value2"))], true },
        { "NotIn on a missing label", [Term(Req("missing", "NotIn", "x"))], true },
        { "Exists", [Term(Req("foo", "Exists"))], true },
        { "DoesNotExist", [Term(Req("foo", "DoesNotExist"))], false },
        { "DoesNotExist on a missing label", [Term(Req("missing", "DoesNotExist"))], true },
        { "Gt compares integers, not strings", [Term(Req("kernel-version", "Gt", "0204"))], true },
        { "Lt", [Term(Req("kernel-version", "Lt", "0204"))], false },
        { "Gt with a non-integer value never matches", [Term(Req("kernel-version", "Gt", "invalid value: ___@#$%^"))], false },
        { "Gt on a missing label", [Term(Req("missing", "Gt", "1"))], false },
        { "expressions are ANDed", [Term(Req("foo", "In", "bar"), Req("missing", "Exists"))], false },
        { "terms are ORed", [Term(Req("missing", "Exists")), Term(Req("foo", "In", "bar"))], true },
        { "an unparsable term does not spoil another", [Term(Req("foo", "Bogus", "x")), Term(Req("foo", "Exists"))], true },
        { "no terms match nothing", [], false },
        { "an empty term matches nothing", [new V1NodeSelectorTerm()], false },
        { "metadata.name In", [FieldTerm(Req("metadata.name", "In", "node1"))], true },
        { "metadata.name In another name", [FieldTerm(Req("metadata.name", "In", "node2"))], false },
        { "metadata.name NotIn", [FieldTerm(Req("metadata.name", "NotIn", "node1"))], false },
        { "an unknown field reads as empty", [FieldTerm(Req("spec.unknown", "In", "node1"))], false },
        { "fields and expressions are ANDed", [new() { MatchFields = [Req("metadata.name", "In", "node1")], MatchExpressions = [Req("foo", "In", "nope")] }], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_FollowsComponentHelpersSemantics(string name, V1NodeSelectorTerm[] terms, bool matches)
    {
        var selector = NodeSelectorMatcher.Parse(new V1NodeSelector { NodeSelectorTerms = terms });

        Assert.True(matches == selector.Matches(Node1), name);
    }

    [Fact]
    public void Parse_BadOperators_ReportsEveryErrorWithItsPath()
    {
        var selector = NodeSelectorMatcher.Parse(new V1NodeSelector
        {
            NodeSelectorTerms =
            [
                Term(Req("foo", "Bogus", "x")),
                new V1NodeSelectorTerm(),
                FieldTerm(Req("metadata.name", "Exists"), Req("metadata.name", "In", "a", "b")),
            ],
        });

        Assert.Equal(
            [
                "nodeSelectorTerms[0].matchExpressions[0].operator: Unsupported value: \"Bogus\": supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\"",
                "nodeSelectorTerms[2].matchFields[0].operator: Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\"; "
                    + "nodeSelectorTerms[2].matchFields[1].values: Invalid value: must have one element",
            ],
            selector.Errors);
        Assert.False(selector.Matches(Node1));
    }

    [Fact]
    public void Parse_CustomPath_PrefixesErrors()
    {
        var selector = NodeSelectorMatcher.Parse(new V1NodeSelector { NodeSelectorTerms = [Term(Req("foo", "Gt", "x"))] }, "added.terms");

        var error = Assert.Single(selector.Errors);
        Assert.StartsWith("added.terms[0].matchExpressions[0]: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Matches_NodeWithoutName_SkipsFieldRequirements()
    {
        // As component-helpers: a node without a name has an empty field set, and field selectors are not applied.
        var selector = NodeSelectorMatcher.Parse(new V1NodeSelector { NodeSelectorTerms = [FieldTerm(Req("metadata.name", "In", "node1"))] });

        Assert.True(selector.Matches(new V1Node { Metadata = new V1ObjectMeta() }));
    }

    [Fact]
    public void IsEmpty_TermWithoutRequirements_IsEmpty()
    {
        Assert.True(NodeSelectorTermMatcher.IsEmpty(null));
        Assert.True(NodeSelectorTermMatcher.IsEmpty(new V1NodeSelectorTerm { MatchExpressions = [], MatchFields = [] }));
        Assert.False(NodeSelectorTermMatcher.IsEmpty(FieldTerm(Req("metadata.name", "In", "n"))));
    }
}
