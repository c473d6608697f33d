using Navarch.ApiServer.Hosting;

namespace Navarch.ApiServer.Tests.ServiceAccounts;

public sealed class ServiceAccountIssuerOptionTests
{
    [Fact]
    public void Default_IsKubeApiServersInClusterAddress() =>
        Assert.Equal("https://kubernetes.default.svc.cluster.local", new ApiServerOptions { DataDir = "/tmp/x" }.ServiceAccountIssuer);

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("://no-scheme")]
    public void Validate_BadIssuer_NamesTheFlag(string issuer)
    {
        var error = Assert.Throws<ArgumentException>(() => new ApiServerOptions { DataDir = "/tmp/x", ServiceAccountIssuer = issuer }.Validate());

        Assert.StartsWith("--service-account-issuer", error.Message);
    }

    [Theory]
    [InlineData("navarch")]
    [InlineData("https://issuer.example.com/cluster-1")]
    public void Validate_UrlOrPlainName_IsAccepted(string issuer) =>
        new ApiServerOptions { DataDir = "/tmp/x", ServiceAccountIssuer = issuer }.Validate();
}
