using System.Text.Json.Nodes;
using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

public sealed class MergePatchTests
{
    // The examples of RFC 7386, appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Apply_Rfc7386Examples(string original, string patch, string expected)
    {
        var result = MergePatch.Apply(JsonNode.Parse(original), JsonNode.Parse(patch));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), result.ToJsonString());
    }

    [Fact]
    public void Apply_DoesNotModifyInputs()
    {
        var original = JsonNode.Parse("""{"a":{"b":1,"c":2}}""")!;
        var patch = JsonNode.Parse("""{"a":{"b":null,"d":[1]}}""")!;
        var result = MergePatch.Apply(original, patch);
        Assert.Equal("""{"a":{"b":1,"c":2}}""", original.ToJsonString());
        Assert.Equal("""{"a":{"b":null,"d":[1]}}""", patch.ToJsonString());
        Assert.Equal("""{"a":{"c":2,"d":[1]}}""", result.ToJsonString());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"x\"")]
    [InlineData("3")]
    public void Apply_ScalarOrNullPatch_IsBadRequest(string patch)
    {
        var e = Assert.Throws<PatchException>(() => MergePatch.Apply(JsonNode.Parse("{}"), JsonNode.Parse(patch)));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Equal("Invalid JSON Patch", e.Message);
    }
}
