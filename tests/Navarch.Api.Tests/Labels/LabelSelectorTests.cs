using k8s.Models;
using Navarch.Api.Labels;

namespace Navarch.Api.Tests.Labels;

public sealed class LabelSelectorTests
{
    private const string NameRegexError =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
        "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private static Dictionary<string, string> L(params string[] pairs)
    {
        var labels = new Dictionary<string, string>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            labels[pairs[i]] = pairs[i + 1];
        }

        return labels;
    }

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app!=db", true)]
    [InlineData("app in (web,db)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("app notin (db, cache)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("app", true)]
    [InlineData("!app", false)]
    [InlineData("!missing", true)]
    [InlineData("missing", false)]
    [InlineData("missing!=x", true)]
    [InlineData("missing notin (x)", true)]
    [InlineData("missing in (x)", false)]
    [InlineData("app=web,tier=front", true)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("  app = web , tier in ( front ) ", true)]
    [InlineData("replicas>2", true)]
    [InlineData("replicas>3", false)]
    [InlineData("replicas<4", true)]
    [InlineData("app>1", false)]
    [InlineData("", true)]
    public void Matches_EvaluatesEachOperatorAsKubernetes(string selector, bool expected)
    {
        var labels = L("app", "web", "tier", "front", "replicas", "3");
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(labels));
    }

    [Fact]
    public void Matches_NullLabels_TreatedAsEmpty()
    {
        Assert.True(LabelSelector.Parse("!a,b!=c").Matches((IReadOnlyDictionary<string, string>?)null));
        Assert.False(LabelSelector.Parse("a").Matches((IReadOnlyDictionary<string, string>?)null));
    }

    [Fact]
    public void Matches_ObjectMeta_UsesItsLabels()
    {
        var meta = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } };
        Assert.True(LabelSelector.Parse("app=web").Matches(meta));
        Assert.False(LabelSelector.Parse("app=db").Matches(meta));
        Assert.True(LabelSelector.Parse("!app").Matches(new V1ObjectMeta()));
    }

    [Fact]
    public void Parse_EmptyValueForms_MeanTheEmptyValue()
    {
        Assert.True(LabelSelector.Parse("a=").Matches(L("a", string.Empty)));
        Assert.False(LabelSelector.Parse("a=").Matches(L("a", "x")));
        Assert.Equal([string.Empty], LabelSelector.Parse("a in ()").Requirements[0].Values);
        Assert.Equal([string.Empty, "x"], LabelSelector.Parse("a in (,x)").Requirements[0].Values);
    }

    [Fact]
    public void Parse_KeywordsAsValues_AreIdentifiers()
    {
        var selector = LabelSelector.Parse("a=in,b in (notin)");
        Assert.True(selector.Matches(L("a", "in", "b", "notin")));
    }

    [Fact]
    public void ToString_SortsByKeyAndValues()
    {
        var selector = LabelSelector.Parse("z notin (c,a),!y,x in (b,a),w==1,v!=2,u,t>5");
        Assert.Equal("t>5,u,v!=2,w==1,x in (a,b),!y,z notin (a,c)", selector.ToString());
    }

    [Fact]
    public void TryGetRequiredValue_ReturnsEqualityValues()
    {
        var selector = LabelSelector.Parse("app=web,tier in (front),env in (a,b),x!=y");
        Assert.True(selector.TryGetRequiredValue("app", out var app));
        Assert.Equal("web", app);
        Assert.True(selector.TryGetRequiredValue("tier", out var tier));
        Assert.Equal("front", tier);
        Assert.False(selector.TryGetRequiredValue("env", out _));
        Assert.False(selector.TryGetRequiredValue("x", out _));
        Assert.False(selector.TryGetRequiredValue("missing", out _));
    }

    [Fact]
    public void Everything_IsEmptyAndMatchesAll_NothingMatchesNone()
    {
        Assert.True(LabelSelector.Parse(null).IsEmpty);
        Assert.True(LabelSelector.Parse("   ").IsEmpty);
        Assert.True(LabelSelector.Everything.Matches(L("a", "b")));
        Assert.False(LabelSelector.Nothing.IsEmpty);
        Assert.False(LabelSelector.Nothing.Matches(L("a", "b")));
        Assert.False(LabelSelector.Parse("a").IsEmpty);
    }

    [Theory]
    [InlineData("x (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("env IN (a)", "unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("e!!!!!ss", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("a,", "found '', expected: identifier after ','")]
    [InlineData("a=b c", "found 'c', expected: ',' or 'end of string'")]
    [InlineData("!a=b", "found '=', expected: ',' or 'end of string'")]
    [InlineData("=a", "found '=', expected: !, identifier, or 'end of string'")]
    [InlineData("a in b", "unable to parse requirement: found 'b' expected: '('")]
    [InlineData("a in (b", "unable to parse requirement: found '', expected: ',' or ')'")]
    [InlineData("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'")]
    [InlineData("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier")]
    [InlineData("a=(", "unable to parse requirement: found '(', expected: identifier")]
    [InlineData("!", "unable to parse requirement: found '', expected: identifier")]
    [InlineData("a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer")]
    [InlineData("app:monolith", "unable to parse requirement: <nil>: Invalid value: \"app:monolith\": name part " + NameRegexError)]
    [InlineData("a=b/c", "unable to parse requirement: values[0][a]: Invalid value: \"b/c\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")]
    [InlineData(
        "a/b/c ?=? def",
        "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name " + NameRegexError +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    [InlineData(
        "Example.com/x",
        "unable to parse requirement: <nil>: Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    [InlineData("/x", "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty")]
    public void Parse_InvalidSelector_ThrowsWithKubernetesMessage(string selector, string message)
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse(selector));
        Assert.Equal(message, e.Message);
        Assert.IsAssignableFrom<FormatException>(e);
    }

    [Fact]
    public void Parse_TooLongValue_ReportsLength()
    {
        var value = new string('v', 64);
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse("a=" + value));
        Assert.Equal($"unable to parse requirement: values[0][a]: Invalid value: \"{value}\": must be no more than 63 characters", e.Message);
        Assert.True(LabelSelector.Parse("a=" + new string('v', 63)).Matches(L("a", new string('v', 63))));
    }

    [Fact]
    public void TryParse_ReturnsErrorInsteadOfThrowing()
    {
        Assert.False(LabelSelector.TryParse("a in", out var none, out var error));
        Assert.Null(none);
        Assert.Equal("unable to parse requirement: found '' expected: '('", error);
        Assert.True(LabelSelector.TryParse("a", out var selector, out _));
        Assert.Single(selector.Requirements);
    }

    [Fact]
    public void FromLabelSelector_CombinesMatchLabelsAndExpressions()
    {
        var selector = LabelSelector.FromLabelSelector(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["front", "edge"] },
                new V1LabelSelectorRequirement { Key = "env", OperatorProperty = "NotIn", Values = ["dev"] },
                new V1LabelSelectorRequirement { Key = "owner", OperatorProperty = "Exists" },
                new V1LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" },
            ],
        });

        Assert.Equal("app=web,!canary,env notin (dev),owner,tier in (edge,front)", selector.ToString());
        Assert.True(selector.Matches(L("app", "web", "tier", "edge", "owner", "me")));
        Assert.False(selector.Matches(L("app", "web", "tier", "edge", "owner", "me", "canary", "1")));
        Assert.False(selector.Matches(L("app", "web", "tier", "edge", "owner", "me", "env", "dev")));
    }

    [Fact]
    public void FromLabelSelector_NullMatchesNothing_EmptyMatchesEverything()
    {
        Assert.Same(LabelSelector.Nothing, LabelSelector.FromLabelSelector(null));
        Assert.True(LabelSelector.FromLabelSelector(new V1LabelSelector()).IsEmpty);
    }

    [Theory]
    [InlineData("Foo", null, "\"Foo\" is not a valid label selector operator")]
    [InlineData("In", null, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty")]
    [InlineData("Exists", "x", "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist")]
    public void FromLabelSelector_InvalidExpression_Throws(string op, string? value, string message)
    {
        var requirement = new V1LabelSelectorRequirement { Key = "k", OperatorProperty = op, Values = value is null ? null : [value] };
        var e = Assert.Throws<SelectorParseException>(() =>
            LabelSelector.FromLabelSelector(new V1LabelSelector { MatchExpressions = [requirement] }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void FromLabelSelector_InvalidKey_ReportsKeyPath()
    {
        var e = Assert.Throws<SelectorParseException>(() =>
            LabelSelector.FromLabelSelector(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["-bad"] = "x" } }));
        Assert.Equal("key: Invalid value: \"-bad\": name part " + NameRegexError, e.Message);
    }

    [Fact]
    public void Requirement_SeveralErrors_AreAggregatedInBrackets()
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelRequirement.Create("k", SelectorOperator.GreaterThan, ["a b"]));
        Assert.StartsWith("[values[0]: Invalid value: \"a b\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][k]: Invalid value: \"a b\": a valid label", e.Message);
        Assert.EndsWith("]", e.Message);
    }

    [Fact]
    public void Matches_ManyInValues_UsesSortedLookup()
    {
        var values = Enumerable.Range(0, 50).Select(i => "v" + i).ToArray();
        var selector = LabelSelector.Parse($"a in ({string.Join(",", values)})");
        Assert.True(selector.Matches(L("a", "v37")));
        Assert.False(selector.Matches(L("a", "v50")));
    }

    [Fact]
    public void Matches_AllocatesNothing()
    {
        var selector = LabelSelector.Parse("app=web,tier in (front,back),!canary,env notin (dev)");
        var labels = L("app", "web", "tier", "front", "env", "prod");
        IReadOnlyDictionary<string, string> view = labels;
        Assert.True(selector.Matches(view));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = 0;
        for (var i = 0; i < 1000; i++)
        {
            matched += selector.Matches(view) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, matched);
    }
}
