using Navarch.ApiServer.Protobuf;

namespace Navarch.ApiServer.Tests.Protobuf;

public sealed class KubernetesSchemaTests
{
    [Theory]
    [InlineData("v1", "Namespace")]
    [InlineData("v1", "Pod")]
    [InlineData("v1", "Node")]
    [InlineData("v1", "Service")]
    [InlineData("v1", "Endpoints")]
    [InlineData("v1", "ConfigMap")]
    [InlineData("v1", "Secret")]
    [InlineData("v1", "ServiceAccount")]
    [InlineData("v1", "Event")]
    [InlineData("v1", "Binding")]
    [InlineData("apps/v1", "Deployment")]
    [InlineData("apps/v1", "ReplicaSet")]
    [InlineData("apps/v1", "DaemonSet")]
    [InlineData("apps/v1", "StatefulSet")]
    [InlineData("batch/v1", "Job")]
    [InlineData("batch/v1", "CronJob")]
    [InlineData("coordination.k8s.io/v1", "Lease")]
    [InlineData("discovery.k8s.io/v1", "EndpointSlice")]
    [InlineData("events.k8s.io/v1", "Event")]
    [InlineData("scheduling.k8s.io/v1", "PriorityClass")]
    [InlineData("v1", "DeleteOptions")]
    [InlineData("autoscaling/v1", "Scale")]
    [InlineData("policy/v1", "Eviction")]
    public void LoadEmbedded_KnowsKind(string apiVersion, string kind)
    {
        var schema = KubernetesSchema.LoadEmbedded();

        var message = schema.FindKind(apiVersion, kind);

        Assert.NotNull(message);
        Assert.EndsWith("." + kind, message.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadEmbedded_ContainerFieldsMatchGeneratedProto()
    {
        var container = KubernetesSchema.LoadEmbedded().Message("k8s.io.api.core.v1.Container");

        Assert.Equal("name", container.Fields[1].JsonName);
        Assert.Equal("image", container.Fields[2].JsonName);
        Assert.Equal("ports", container.Fields[6].JsonName);
        Assert.Equal(FieldCardinality.Repeated, container.Fields[6].Cardinality);
        Assert.Equal("imagePullPolicy", container.Fields[14].JsonName);
    }

    [Fact]
    public void Parse_ReferenceToMissingMessage_Throws()
    {
        const string text = "M a.B\n1 child a.Missing\n";

        Assert.Throws<InvalidOperationException>(() => KubernetesSchema.Parse(text));
    }

    [Fact]
    public void Parse_UnknownFlag_Throws() =>
        Assert.Throws<InvalidOperationException>(() => KubernetesSchema.Parse("M a.B\n1 name string shiny\n"));
}
