using k8s.Models;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Pods;

namespace Navarch.Kubelet.Tests.Config;

/// <summary>The securityContext as a real container sees it: its ids, groups, root filesystem, privileges and capabilities.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class SecurityContextContainerTests(ContainerdFixture containerd)
{
    [Fact(Timeout = 30_000)]
    public async Task Container_RunsAsUserAndGroups_ReadOnlyRootAndNoNewPrivs()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var container = TestPods.Busybox("ids", "sh", "-c",
            "id -u; id -g; id -G; touch /probe 2>/dev/null && echo rw || echo ro; grep NoNewPrivs /proc/self/status | tr -d '\\t '");
        container.SecurityContext = new V1SecurityContext { RunAsGroup = 5678, ReadOnlyRootFilesystem = true, AllowPrivilegeEscalation = false };
        var pod = TestPods.New("ids", "Never", container);
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsUser = 1234, RunAsGroup = 1, FsGroup = 2000, SupplementalGroups = [4000] };

        var (status, log) = await ContainerRun.ToExitAsync(containerd, pod, container, ContainerInputs.Empty, timeout.Token);

        Assert.Equal(0, status.ExitCode);
        Assert.Equal(["1234", "5678", "5678 2000 4000", "ro", "NoNewPrivs:1"], log);
    }

    [Fact(Timeout = 30_000)]
    public async Task Container_DropAllAddNetAdmin_OnlyThatCapabilityIsEffective()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var container = TestPods.Busybox("caps", "sh", "-c", "grep CapEff /proc/self/status | tr -d '\\t '; grep NoNewPrivs /proc/self/status | tr -d '\\t '");
        container.SecurityContext = new V1SecurityContext { Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["NET_ADMIN"] } };
        var pod = TestPods.New("caps", "Never", container);

        var (status, log) = await ContainerRun.ToExitAsync(containerd, pod, container, ContainerInputs.Empty, timeout.Token);

        Assert.Equal(0, status.ExitCode);
        // CAP_NET_ADMIN is capability 12.
        Assert.Equal(["CapEff:0000000000001000", "NoNewPrivs:0"], log);
    }
}
