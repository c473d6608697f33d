namespace Navarch.Kubelet.Tests.Images;

/// <summary>Pull tests: their own containerd (a separate instance from the shared "containerd" collection), registries and API server.</summary>
[CollectionDefinition(Name)]
public sealed class ImagePullCollection : ICollectionFixture<ContainerdFixture>, ICollectionFixture<ImagePullFixture>
{
    public const string Name = "ImagePull";
}
