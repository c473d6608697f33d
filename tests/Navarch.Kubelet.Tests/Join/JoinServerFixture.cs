using Navarch.Testing;

namespace Navarch.Kubelet.Tests.Join;

/// <summary>An in-process API server and nothing else: the agent side of joining talks only to it.</summary>
public sealed class JoinServerFixture : ApiServerFixture
{
}
