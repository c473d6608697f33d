using k8s.Models;
using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

public sealed class PatchMetadataTests
{
    [Fact]
    public void Lookup_Containers_IsMergeByNameListOfContainers()
    {
        var info = PatchMetadata.Default.Lookup(typeof(V1PodSpec), "containers");
        Assert.NotNull(info);
        Assert.Equal(FieldShape.List, info.Shape);
        Assert.Equal(typeof(V1Container), info.ElementType);
        Assert.Equal(PatchStrategy.Merge, info.Strategy);
        Assert.Equal("name", info.MergeKey);
        Assert.Equal("merge", info.StrategyExtension);
    }

    [Fact]
    public void Lookup_Volumes_CombinesMergeAndRetainKeys()
    {
        var info = PatchMetadata.Default.Lookup(typeof(V1PodSpec), "volumes")!;
        Assert.Equal("merge,retainKeys", info.StrategyExtension);
    }

    [Fact]
    public void Lookup_Labels_IsStringMap()
    {
        var info = PatchMetadata.Default.Lookup(typeof(V1ObjectMeta), "labels")!;
        Assert.Equal(FieldShape.Map, info.Shape);
        Assert.Equal(typeof(string), info.ElementType);
        Assert.Null(info.StrategyExtension);
    }

    [Fact]
    public void Lookup_ObjectField_IsObjectOfItsType()
    {
        var info = PatchMetadata.Default.Lookup(typeof(V1Pod), "spec")!;
        Assert.Equal(FieldShape.Object, info.Shape);
        Assert.Equal(typeof(V1PodSpec), info.ElementType);
    }

    [Theory]
    [InlineData(typeof(V1NodeSpec), "taints")]
    [InlineData(typeof(V1PodSpec), "tolerations")]
    [InlineData(typeof(V1Container), "args")]
    public void Lookup_UntaggedList_HasNoStrategy(Type type, string field)
    {
        var info = PatchMetadata.Default.Lookup(type, field)!;
        Assert.Equal(FieldShape.List, info.Shape);
        Assert.Equal(PatchStrategy.None, info.Strategy);
    }

    [Fact]
    public void Lookup_ScalarsAndQuantities_AreScalar()
    {
        Assert.Equal(FieldShape.Scalar, PatchMetadata.Default.Lookup(typeof(V1ObjectMeta), "name")!.Shape);
        Assert.Equal(FieldShape.Scalar, PatchMetadata.Default.Lookup(typeof(V1ContainerPort), "containerPort")!.Shape);
        Assert.Equal(FieldShape.Scalar, PatchMetadata.Default.Lookup(typeof(V1ServicePort), "targetPort")!.Shape);
        var data = PatchMetadata.Default.Lookup(typeof(V1Secret), "data")!;
        Assert.Equal(FieldShape.Map, data.Shape);
        Assert.Equal(FieldShape.Scalar, PatchMetadata.Default.DescribeValue(data.ElementType!).Shape);
        var limits = PatchMetadata.Default.Lookup(typeof(V1ResourceRequirements), "limits")!;
        Assert.Equal(FieldShape.Map, limits.Shape);
        Assert.Equal(FieldShape.Scalar, PatchMetadata.Default.DescribeValue(limits.ElementType!).Shape);
    }

    [Fact]
    public void Lookup_UnknownField_IsNull()
    {
        Assert.Null(PatchMetadata.Default.Lookup(typeof(V1PodSpec), "nope"));
    }

    [Fact]
    public void EveryTag_NamesAnExistingField()
    {
        foreach (var (type, field, strategy, mergeKey) in KubernetesPatchTags.All)
        {
            var info = PatchMetadata.Default.Lookup(type, field);
            Assert.True(info is not null, $"{type.Name}.{field} does not exist");
            Assert.Equal(strategy, info.Strategy);
            Assert.Equal(mergeKey, info.MergeKey);
            if (mergeKey is not null)
            {
                Assert.Equal(FieldShape.List, info.Shape);
                Assert.True(PatchMetadata.Default.Lookup(info.ElementType!, mergeKey) is not null, $"{type.Name}.{field} merge key {mergeKey} is not a field of {info.ElementType!.Name}");
            }
        }
    }

    [Fact]
    public void GetFields_IsComputedOncePerType_EvenConcurrently()
    {
        var metadata = new PatchMetadata(KubernetesPatchTags.All);
        var results = new IReadOnlyDictionary<string, FieldPatchInfo>[16];
        Parallel.For(0, results.Length, i => results[i] = metadata.GetFields(typeof(V1PodSpec)));
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Same(results[0], metadata.GetFields(typeof(V1PodSpec)));
    }
}
