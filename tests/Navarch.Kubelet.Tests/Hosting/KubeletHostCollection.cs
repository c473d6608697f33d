namespace Navarch.Kubelet.Tests.Hosting;

/// <summary>Tests sharing one API server and one kubelet with its containerd; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class KubeletHostCollection : ICollectionFixture<KubeletHostFixture>
{
    public const string Name = "KubeletHost";
}
