using Navarch.Testing;

namespace Navarch.Kubelet.Tests.Node;

/// <summary>An API server for the node registration tests; the tests run and stop their own components.</summary>
public sealed class NodeApiFixture : ApiServerFixture
{
}
