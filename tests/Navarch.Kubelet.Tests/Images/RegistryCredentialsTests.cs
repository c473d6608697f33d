using System.Text;
using k8s.Models;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests.Images;

public sealed class RegistryCredentialsTests
{
    [Fact]
    public void For_DockerConfigJson_MatchesRegistryHostAndDecodesAuth()
    {
        var credentials = new RegistryCredentials();
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:pa:ss"));

        Assert.True(credentials.Add(Secret("kubernetes.io/dockerconfigjson", ".dockerconfigjson",
            """{"auths":{"https://registry.example.com":{"auth":"AUTH"},"other.example.com":{"username":"bob","password":"x"}}}""".Replace("AUTH", auth, StringComparison.Ordinal))));
        var matched = credentials.For(Parse("registry.example.com/team/app:1"));

        var only = Assert.Single(matched);
        Assert.Equal("alice", only.Username);
        Assert.Equal("pa:ss", only.Password);
        Assert.Empty(credentials.For(Parse("third.example.com/app")));
    }

    [Fact]
    public void For_DockerHubKey_MatchesShortImageNames()
    {
        var credentials = new RegistryCredentials();
        credentials.Add(Secret("kubernetes.io/dockercfg", ".dockercfg", """{"https://index.docker.io/v1/":{"username":"u","password":"p"}}"""));

        Assert.Equal("u", Assert.Single(credentials.For(Parse("busybox"))).Username);
    }

    [Fact]
    public void For_WildcardAndPathKeys_MostSpecificFirst()
    {
        var credentials = new RegistryCredentials();
        credentials.Add(Secret("kubernetes.io/dockerconfigjson", ".dockerconfigjson",
            """{"auths":{"*.example.com":{"username":"any","password":"p"},"r.example.com/team":{"username":"team","password":"p"},"r.example.com/other":{"username":"other","password":"p"}}}"""));

        Assert.Equal(["team", "any"], credentials.For(Parse("r.example.com/team/app")).Select(a => a.Username));
        Assert.Empty(credentials.For(Parse("example.com/team/app")));
    }

    [Fact]
    public void Add_OtherSecretTypesAndBadJson_AddNothing()
    {
        var credentials = new RegistryCredentials();

        Assert.False(credentials.Add(Secret("Opaque", ".dockerconfigjson", """{"auths":{"r.example.com":{"username":"u"}}}""")));
        Assert.False(credentials.Add(Secret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", "{not json")));
        Assert.Empty(credentials.For(Parse("r.example.com/app")));
    }

    private static ImageReference Parse(string image)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out _));
        return reference;
    }

    private static V1Secret Secret(string type, string key, string json) => new()
    {
        Type = type,
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(json) },
    };
}
