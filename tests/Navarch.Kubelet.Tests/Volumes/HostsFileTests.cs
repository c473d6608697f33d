using k8s.Models;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Pods;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Tests.Volumes;

public sealed class HostsFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nvhosts-").FullName;

    [Fact]
    public void PodNetwork_LocalhostEntriesPodIpHostnameAndAliases()
    {
        var pod = TestPods.New("web", "Always", TestPods.Busybox("app", "true"));
        pod.Spec.HostNetwork = null;
        pod.Spec.Subdomain = "svc";
        pod.Spec.HostAliases = [new V1HostAlias { Ip = "10.1.2.3", Hostnames = ["foo", "bar"] }];

        var path = HostsFile.Ensure(_directory, pod, "10.42.0.9");

        Assert.Equal(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
            + "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.42.0.9\tweb.svc.default.svc.cluster.local\tweb\n"
            + "\n# Entries added by HostAliases.\n10.1.2.3\tfoo\tbar\n",
            File.ReadAllText(path!));
        Assert.Null(HostsFile.Ensure(_directory, pod, podIP: null));
    }

    [Fact]
    public void HostNetwork_NodeFileUnderItsHeader()
    {
        var node = Path.Combine(_directory, "node-hosts");
        File.WriteAllText(node, "127.0.0.1 localhost\n192.0.2.5 node-1\n");
        var pod = TestPods.New("web", "Always", TestPods.Busybox("app", "true"));

        var path = HostsFile.Ensure(Path.Combine(_directory, "pod"), pod, podIP: null, node);

        Assert.Equal("# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n192.0.2.5 node-1\n", File.ReadAllText(path!));
    }

    [Fact]
    public void Builder_MountsHostsFileUnlessTheContainerMountsEtcHosts()
    {
        var container = TestPods.Busybox("app", "true");
        var pod = TestPods.New("web", "Always", container);
        pod.Spec.HostNetwork = null;
        var inputs = new ContainerInputs { PodDirectory = _directory };
        var builder = new ContainerConfigBuilder(swapControlled: false);

        var mount = Assert.Single(builder.Build(pod, container, 0, new PodNetworkInfo("10.42.0.9", null), inputs).Mounts);
        Assert.Equal(("/etc/hosts", Path.Combine(_directory, "etc-hosts"), false), (mount.ContainerPath, mount.HostPath, mount.Readonly));

        var own = new Navarch.Kubelet.Cri.V1.Mount { ContainerPath = "/etc/hosts", HostPath = "/somewhere" };
        Assert.Equal([own], builder.Build(pod, container, 0, new PodNetworkInfo("10.42.0.9", null), inputs with { Mounts = [own] }).Mounts);
        Assert.Empty(builder.Build(pod, container, 0, PodNetworkInfo.None, inputs).Mounts);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
