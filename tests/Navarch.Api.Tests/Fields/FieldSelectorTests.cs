using Navarch.Api.Fields;

namespace Navarch.Api.Tests.Fields;

public sealed class FieldSelectorTests
{
    private static Func<string, string?> Fields(params string[] pairs)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            map[pairs[i]] = pairs[i + 1];
        }

        return f => map.TryGetValue(f, out var v) ? v : null;
    }

    [Theory]
    [InlineData("metadata.name=web", true)]
    [InlineData("metadata.name==web", true)]
    [InlineData("metadata.name!=web", false)]
    [InlineData("metadata.name=db", false)]
    [InlineData("metadata.name=web,spec.nodeName=n1", true)]
    [InlineData("metadata.name=web,spec.nodeName!=n1", false)]
    [InlineData("spec.missing=", true)]
    [InlineData("spec.missing!=x", true)]
    [InlineData("spec.missing=x", false)]
    [InlineData("", true)]
    public void Matches_EqualityAndInequality(string selector, bool expected)
    {
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(Fields("metadata.name", "web", "spec.nodeName", "n1")));
    }

    [Fact]
    public void Matches_WithState_AvoidsClosures()
    {
        var selector = FieldSelector.Parse("status.phase=Running");
        Assert.True(selector.Matches("Running", static (phase, field) => field == "status.phase" ? phase : null));
        Assert.False(selector.Matches("Pending", static (phase, field) => field == "status.phase" ? phase : null));
    }

    [Fact]
    public void Parse_Requirements_AreSortedByTermAndUnescaped()
    {
        var selector = FieldSelector.Parse(@"spec.nodeName!=n1,metadata.name==a\,b\=c\\");
        Assert.Equal(
            [
                new FieldRequirement("metadata.name", SelectorOperator.Equals, @"a,b=c\"),
                new FieldRequirement("spec.nodeName", SelectorOperator.NotEquals, "n1"),
            ],
            selector.Requirements);
        Assert.Equal(@"metadata.name=a\,b\=c\\,spec.nodeName!=n1", selector.ToString());
    }

    [Fact]
    public void Parse_EscapedComma_IsNotATermSeparator()
    {
        var selector = FieldSelector.Parse(@"metadata.name=a\,b");
        Assert.True(selector.Matches(Fields("metadata.name", "a,b")));
        Assert.Single(selector.Requirements);
    }

    [Fact]
    public void EscapeValue_RoundTripsThroughUnescape()
    {
        const string raw = @"a\b,c=d";
        var escaped = FieldSelector.EscapeValue(raw);
        Assert.Equal(@"a\\b\,c\=d", escaped);
        Assert.Equal(raw, FieldSelector.UnescapeValue(escaped));
        Assert.True(FieldSelector.Parse("f=" + escaped).Matches(Fields("f", raw)));
    }

    [Theory]
    [InlineData("foo", "invalid selector: 'foo'; can't understand 'foo'")]
    [InlineData("a=b,foo", "invalid selector: 'a=b,foo'; can't understand 'foo'")]
    [InlineData(@"a=b\c", @"invalid field selector: invalid escape sequence: \c")]
    [InlineData(@"a=b\", @"invalid field selector: invalid escape sequence: \")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    public void Parse_Invalid_ThrowsWithKubernetesMessage(string selector, string message)
    {
        var e = Assert.Throws<SelectorParseException>(() => FieldSelector.Parse(selector));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void TryGetRequiredValue_FindsEqualityOnly()
    {
        var selector = FieldSelector.Parse("spec.nodeName=n1,metadata.name!=x");
        Assert.True(selector.TryGetRequiredValue("spec.nodeName", out var node));
        Assert.Equal("n1", node);
        Assert.False(selector.TryGetRequiredValue("metadata.name", out _));
    }

    [Fact]
    public void Parse_EmptyTerms_AreIgnored()
    {
        Assert.True(FieldSelector.Parse(",").IsEmpty);
        Assert.Single(FieldSelector.Parse("a=b,").Requirements);
    }
}
