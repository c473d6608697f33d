using k8s.Models;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Pods;

namespace Navarch.Kubelet.Tests.Config;

public sealed class PodDnsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nvdns-").FullName;

    [Fact]
    public void NoDnsConfig_LeftToTheRuntime()
    {
        var pod = TestPods.New("web", "Always", TestPods.Busybox("app", "true"));

        Assert.Null(new PodSandboxConfigBuilder("/logs", ResolvConf()).Build(pod).DnsConfig);
    }

    [Fact]
    public void PolicyNone_OnlyThePodsConfig()
    {
        var pod = TestPods.New("web", "Always", TestPods.Busybox("app", "true"));
        pod.Spec.DnsPolicy = "None";
        pod.Spec.DnsConfig = new V1PodDNSConfig { Nameservers = ["1.1.1.1"], Searches = ["example.com"], Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }] };

        var dns = new PodSandboxConfigBuilder("/logs", ResolvConf()).Build(pod).DnsConfig;

        Assert.Equal(["1.1.1.1"], dns.Servers);
        Assert.Equal(["example.com"], dns.Searches);
        Assert.Equal(["ndots:2"], dns.Options);
    }

    [Fact]
    public void DefaultPolicyWithDnsConfig_MergedIntoTheNodesFile()
    {
        var pod = TestPods.New("web", "Always", TestPods.Busybox("app", "true"));
        pod.Spec.DnsConfig = new V1PodDNSConfig
        {
            Nameservers = ["192.0.2.53", "10.0.0.2"],
            Searches = ["extra.local"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "5" }, new V1PodDNSConfigOption { Name = "edns0" }],
        };

        var dns = new PodSandboxConfigBuilder("/logs", ResolvConf()).Build(pod).DnsConfig;

        Assert.Equal(["192.0.2.53", "192.0.2.54", "10.0.0.2"], dns.Servers);
        Assert.Equal(["corp.example", "extra.local"], dns.Searches);
        Assert.Equal(["timeout:1", "ndots:5", "edns0"], dns.Options);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ResolvConf()
    {
        var path = Path.Combine(_directory, "resolv.conf");
        File.WriteAllText(path, "# generated\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example\noptions ndots:1 timeout:1\n");
        return path;
    }
}
