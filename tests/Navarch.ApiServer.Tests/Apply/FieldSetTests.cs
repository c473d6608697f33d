using System.Text.Json.Nodes;
using Navarch.ApiServer.Apply;

namespace Navarch.ApiServer.Tests.Apply;

public sealed class FieldSetTests
{
    // The managedFields example of the Kubernetes "Server-Side Apply" documentation page (ConfigMap test-cm).
    private const string DocsConfigMapFields = """
        {"f:metadata":{"f:labels":{"f:test-label":{}}},"f:data":{"f:key":{}}}
        """;

    // The shape kube-apiserver writes for a Deployment created by kubectl: "." marks owned nodes that have children,
    // associative-list items are named by their keys (sorted), set items by value.
    private const string DeploymentFields = """
        {
          "f:metadata": {
            "f:finalizers": {".": {}, "v:\"example.com/cleanup\"": {}},
            "f:labels": {".": {}, "f:app": {}}
          },
          "f:spec": {
            "f:replicas": {},
            "f:template": {
              "f:spec": {
                "f:containers": {
                  "k:{\"name\":\"nginx\"}": {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": {
                      ".": {},
                      "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}
                    }
                  }
                }
              }
            }
          }
        }
        """;

    [Fact]
    public void FromFieldsV1_DocsSample_ReadsLeafPaths()
    {
        var set = FieldSet.FromFieldsV1(JsonNode.Parse(DocsConfigMapFields)!.AsObject());

        Assert.Equal(["data.key", "metadata.labels.test-label"], Describe(set));
    }

    [Theory]
    [InlineData(DocsConfigMapFields)]
    [InlineData(DeploymentFields)]
    public void FieldsV1_RoundTrip_ReproducesTheSample(string sample)
    {
        var json = JsonNode.Parse(sample)!.AsObject();

        var encoded = FieldSet.FromFieldsV1(json).ToFieldsV1();

        Assert.True(JsonNode.DeepEquals(json, encoded), encoded.ToJsonString());
    }

    [Fact]
    public void FromFieldsV1_DotMarker_MakesTheNodeItselfAMember()
    {
        var set = FieldSet.FromFieldsV1(JsonNode.Parse(DeploymentFields)!.AsObject());

        var container = FieldPath.Of("spec", "template", "spec", "containers")
            .Append(PathElement.Key([new("name", JsonValue.Create("nginx"))]));
        Assert.Contains(container, set.Paths);
        Assert.Contains(FieldPath.Of("metadata", "labels"), set.Paths);
        Assert.DoesNotContain(FieldPath.Of("spec"), set.Paths);
        Assert.DoesNotContain(FieldPath.Of("spec", "template"), set.Paths);
    }

    [Fact]
    public void ToFieldsV1_WritesDotFirstThenSortedChildren()
    {
        var set = new FieldSet();
        set.Insert(FieldPath.Of("metadata", "labels", "b"));
        set.Insert(FieldPath.Of("metadata", "labels"));
        set.Insert(FieldPath.Of("metadata", "labels", "a"));

        Assert.Equal("""{"f:metadata":{"f:labels":{".":{},"f:a":{},"f:b":{}}}}""", set.ToString());
    }

    [Fact]
    public void PathElement_Key_IsCanonicalWhateverTheFieldOrder()
    {
        var parsed = PathElement.Parse("""k:{"protocol":"TCP", "containerPort":80}""");
        var built = PathElement.Key([new("containerPort", JsonValue.Create(80)), new("protocol", JsonValue.Create("TCP"))]);

        Assert.Equal(built, parsed);
        Assert.Equal("""k:{"containerPort":80,"protocol":"TCP"}""", parsed.Encoded);
        Assert.Equal("""[containerPort=80,protocol="TCP"]""", parsed.ToString());
    }

    [Fact]
    public void FieldPath_ToString_UsesStructuredMergeDiffSpelling()
    {
        var path = FieldPath.Of("spec", "template", "spec", "containers")
            .Append(PathElement.Parse("""k:{"name":"nginx"}"""))
            .Append(PathElement.Field("image"));

        Assert.Equal(""".spec.template.spec.containers[name="nginx"].image""", path.ToString());
        Assert.Equal("""[="a"]""", PathElement.Parse("""v:"a" """.Trim()).ToString());
    }

    [Theory]
    [InlineData("x")]
    [InlineData("q:foo")]
    [InlineData("k:[1]")]
    [InlineData("i:abc")]
    public void PathElement_Parse_RejectsMalformedKeys(string encoded)
    {
        Assert.Throws<FormatException>(() => PathElement.Parse(encoded));
    }

    private static List<string> Describe(FieldSet set) =>
        set.Paths.Select(p => string.Join(".", p.Elements.Select(e => e.FieldName ?? e.Encoded))).ToList();
}
