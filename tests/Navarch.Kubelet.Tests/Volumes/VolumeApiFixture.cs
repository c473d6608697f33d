using Navarch.Testing;

namespace Navarch.Kubelet.Tests.Volumes;

/// <summary>An API server for the tests that mount volumes into real containers.</summary>
public sealed class VolumeApiFixture : ApiServerFixture
{
}
