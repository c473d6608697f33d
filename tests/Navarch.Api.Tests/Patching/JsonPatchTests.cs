using System.Text.Json.Nodes;
using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

public sealed class JsonPatchTests
{
    private static JsonNode Doc(string json) => JsonNode.Parse(json)!;

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected} but got {actual.ToJsonString()}");

    [Fact]
    public void Apply_AllOperations_InOrder()
    {
        var doc = Doc("""{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"list":[1,2,3]}}""");
        var result = JsonPatch.Apply(doc, """
            [
              {"op":"test","path":"/metadata/name","value":"a"},
              {"op":"add","path":"/metadata/labels/y","value":"2"},
              {"op":"remove","path":"/metadata/labels/x"},
              {"op":"replace","path":"/spec/list/0","value":10},
              {"op":"add","path":"/spec/list/-","value":4},
              {"op":"add","path":"/spec/list/1","value":15},
              {"op":"copy","from":"/metadata/name","path":"/spec/copied"},
              {"op":"move","from":"/spec/list/2","path":"/spec/moved"}
            ]
            """);
        AssertJson("""{"metadata":{"name":"a","labels":{"y":"2"}},"spec":{"list":[10,15,3,4],"copied":"a","moved":2}}""", result);
    }

    [Fact]
    public void Apply_DoesNotModifyTheInput()
    {
        var doc = Doc("""{"a":{"b":1}}""");
        JsonPatch.Apply(doc, """[{"op":"replace","path":"/a/b","value":2}]""");
        AssertJson("""{"a":{"b":1}}""", doc);
    }

    [Fact]
    public void Apply_EscapedPointerSegments()
    {
        var doc = Doc("""{"metadata":{"labels":{"app.kubernetes.io/name":"x","t~n":"y"}}}""");
        var result = JsonPatch.Apply(doc, """
            [{"op":"replace","path":"/metadata/labels/app.kubernetes.io~1name","value":"z"},
             {"op":"remove","path":"/metadata/labels/t~0n"}]
            """);
        AssertJson("""{"metadata":{"labels":{"app.kubernetes.io/name":"z"}}}""", result);
    }

    [Fact]
    public void Apply_NegativeIndex_CountsFromEnd()
    {
        var result = JsonPatch.Apply(Doc("""{"l":[1,2,3]}"""), """[{"op":"remove","path":"/l/-1"}]""");
        AssertJson("""{"l":[1,2]}""", result);
    }

    [Theory]
    [InlineData("""[{"op":"add","path":"/spec/x/y","value":1}]""", "add operation does not apply: doc is missing path: \"/spec/x/y\": missing value")]
    [InlineData("""[{"op":"remove","path":"/spec/x/y"}]""", "remove operation does not apply: doc is missing path: \"/spec/x/y\": missing value")]
    [InlineData("""[{"op":"remove","path":"/missing"}]""", "error in remove for path: '/missing': Unable to remove nonexistent key: missing: missing value")]
    [InlineData("""[{"op":"replace","path":"/missing","value":1}]""", "replace operation does not apply: doc is missing key: /missing: missing value")]
    [InlineData("""[{"op":"add","path":"/l/5","value":1}]""", "error in add for path: '/l/5': Unable to access invalid index: 5: invalid index referenced")]
    [InlineData("""[{"op":"add","path":"/l/x","value":1}]""", "error in add for path: '/l/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("""[{"op":"remove","path":"/l/2"}]""", "error in remove for path: '/l/2': Unable to access invalid index: 2: invalid index referenced")]
    [InlineData("""[{"op":"test","path":"/a","value":2}]""", "testing value /a failed: test failed")]
    [InlineData("""[{"op":"move","from":"/nope","path":"/b"}]""", "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value")]
    [InlineData("""[{"op":"copy","from":"/x/y","path":"/b"}]""", "copy operation does not apply: doc is missing from path: /x/y: missing value")]
    [InlineData("""[{"op":"frob","path":"/a"}]""", "Unexpected kind: frob")]
    [InlineData("""[{"path":"/a"}]""", "Unexpected kind: unknown")]
    [InlineData("""[{"op":"add","value":1}]""", "add operation failed to decode path: missing value")]
    [InlineData("""[{"op":"add","path":"","value":1}]""", "add operation does not apply: doc is missing path: \"\": missing value")]
    public void Apply_NotApplicable_ThrowsInvalidWithJsonPatchMessage(string patch, string message)
    {
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Doc("""{"a":1,"l":[1,2]}"""), patch));
        Assert.Equal(message, e.Message);
        Assert.Equal(PatchErrorKind.Invalid, e.Kind);
    }

    [Fact]
    public void Apply_TestOfWholeDocument()
    {
        var doc = Doc("""{"a":1}""");
        AssertJson("""{"a":1}""", JsonPatch.Apply(doc, """[{"op":"test","path":"","value":{"a":1}}]"""));
    }

    [Theory]
    [InlineData("""{"op":"add"}""", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")]
    [InlineData("""["add"]""", "json: cannot unmarshal string into Go value of type jsonpatch.Operation")]
    public void Apply_MalformedPatch_IsBadRequest(string patch, string message)
    {
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Doc("{}"), patch));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Apply_InvalidJson_IsBadRequest()
    {
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Doc("{}"), "[{"));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
    }

    [Fact]
    public void Apply_TooManyOperations_IsRequestEntityTooLarge()
    {
        var patch = new JsonArray();
        for (var i = 0; i <= JsonPatch.MaxOperations; i++)
        {
            patch.Add(new JsonObject { ["op"] = "test", ["path"] = "/a", ["value"] = 1 });
        }

        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Doc("""{"a":1}"""), patch));
        Assert.Equal(PatchErrorKind.RequestEntityTooLarge, e.Kind);
        Assert.Equal("The allowed maximum operations in a JSON patch is 10000, got 10001", e.Message);
    }

    [Fact]
    public void Apply_CopiesThatDoubleTheDocument_AreBounded()
    {
        var doc = new JsonObject { ["a"] = new JsonArray(new string('x', 1024)) };
        var patch = new JsonArray();
        for (var i = 0; i < 13; i++)
        {
            patch.Add(new JsonObject { ["op"] = "copy", ["from"] = "/a", ["path"] = "/a/-" });
        }

        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(doc, patch));
        Assert.Equal(PatchErrorKind.RequestEntityTooLarge, e.Kind);
        Assert.StartsWith("Unable to complete the copy, the accumulated size increase of copy is ", e.Message);
    }
}
