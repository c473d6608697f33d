using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Pods;

namespace Navarch.Kubelet.Tests.Config;

public sealed class ResourcesAndSecurityTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(100, 102)]
    [InlineData(250, 256)]
    [InlineData(1000, 1024)]
    [InlineData(500_000, 262_144)]
    public void Shares_MatchTheKubeletsMilliCpuToShares(long milliCpu, long shares) =>
        Assert.Equal(shares, ContainerResources.Shares(milliCpu));

    [Theory]
    [InlineData(100, 10_000)]
    [InlineData(5, 1_000)]
    [InlineData(1500, 150_000)]
    public void Quota_MatchesTheKubeletsMilliCpuToQuota(long milliCpu, long quota) =>
        Assert.Equal(quota, ContainerResources.Quota(milliCpu, ContainerResources.CpuPeriod));

    [Fact]
    public void Resources_GuaranteedContainer_SharesQuotaMemoryAndOomScore()
    {
        var container = WithResources(requests: null, limits: ("100m", "16Mi"));
        var config = Build(container);

        var resources = config.Linux.Resources;
        Assert.Equal(102, resources.CpuShares);
        Assert.Equal(100_000, resources.CpuPeriod);
        Assert.Equal(10_000, resources.CpuQuota);
        Assert.Equal(16 * 1024 * 1024, resources.MemoryLimitInBytes);
        Assert.Equal(16 * 1024 * 1024, resources.MemorySwapLimitInBytes);
        Assert.Equal(-997, resources.OomScoreAdj);
    }

    [Fact]
    public void Resources_BestEffort_MinimumSharesNoLimitsScore1000()
    {
        var resources = Build(TestPods.Busybox("app", "true")).Linux.Resources;

        Assert.Equal((2L, 0L, 0L, 0L, 1000L), (resources.CpuShares, resources.CpuQuota, resources.CpuPeriod, resources.MemoryLimitInBytes, resources.OomScoreAdj));
    }

    [Fact]
    public void Resources_Burstable_OomScoreByShareOfNodeMemory()
    {
        var container = WithResources(requests: ("250m", "1Gi"), limits: null);
        var pod = TestPods.New("web", "Always", container);
        var inputs = new ContainerInputs { NodeAllocatable = new Dictionary<string, ResourceQuantity> { ["memory"] = new("4Gi") } };

        var resources = new ContainerConfigBuilder(swapControlled: false).Build(pod, container, 0, PodNetworkInfo.None, inputs).Linux.Resources;

        Assert.Equal(256, resources.CpuShares);
        Assert.Equal(750, resources.OomScoreAdj);
        Assert.Equal(0, resources.MemoryLimitInBytes);
        Assert.Equal(3, ContainerResources.OomScoreAdj(pod, memoryRequest: 4L << 30, memoryCapacity: 4L << 30));
        Assert.Equal(999, ContainerResources.OomScoreAdj(pod, memoryRequest: 1, memoryCapacity: 4L << 30));
    }

    [Fact]
    public void Security_ContainerWinsOverPod_GroupsFromPod()
    {
        var container = TestPods.Busybox("app", "true");
        container.SecurityContext = new V1SecurityContext
        {
            RunAsUser = 1000,
            Privileged = true,
            ReadOnlyRootFilesystem = true,
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Add = ["NET_ADMIN"], Drop = ["ALL"] },
        };
        var pod = TestPods.New("web", "Always", container);
        pod.Spec.SecurityContext = new V1PodSecurityContext
        {
            RunAsUser = 5, RunAsGroup = 3000, FsGroup = 2000, SupplementalGroups = [4000, 2000],
            Sysctls = [new V1Sysctl { Name = "net.ipv4.ip_unprivileged_port_start", Value = "0" }],
        };

        var security = new ContainerConfigBuilder(swapControlled: false).Build(pod, container, 0, PodNetworkInfo.None).Linux.SecurityContext;
        var sandboxLinux = new PodSandboxConfigBuilder("/logs").Build(pod).Linux;
        var sandbox = sandboxLinux.SecurityContext;

        Assert.Equal(1000, security.RunAsUser.Value);
        Assert.Equal(3000, security.RunAsGroup.Value);
        Assert.Equal([2000L, 4000L], security.SupplementalGroups);
        Assert.True(security.Privileged);
        Assert.True(security.ReadonlyRootfs);
        Assert.True(security.NoNewPrivs);
        Assert.Equal(["NET_ADMIN"], security.Capabilities.AddCapabilities);
        Assert.Equal(["ALL"], security.Capabilities.DropCapabilities);
        Assert.Equal(5, sandbox.RunAsUser.Value);
        Assert.Equal(3000, sandbox.RunAsGroup.Value);
        Assert.Equal([2000L, 4000L], sandbox.SupplementalGroups);
        Assert.True(sandbox.Privileged);
        Assert.Equal("0", sandboxLinux.Sysctls["net.ipv4.ip_unprivileged_port_start"]);
    }

    [Fact]
    public void Security_AllowPrivilegeEscalationUnset_NoNewPrivsOff()
    {
        var security = Build(TestPods.Busybox("app", "true")).Linux.SecurityContext;

        Assert.False(security.NoNewPrivs);
        Assert.Null(security.RunAsUser);
        Assert.Null(security.Capabilities);
    }

    [Fact]
    public void RunAsNonRoot_ImageRunsAsRoot_FailsWithKubeletMessage()
    {
        var container = TestPods.Busybox("app", "true");
        var pod = TestPods.New("web", "Always", container);
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true };
        var inputs = new ContainerInputs { ImageUser = new ImageUser(0, null) };

        var error = Assert.Throws<ContainerConfigException>(() => new ContainerConfigBuilder(false).Build(pod, container, 0, PodNetworkInfo.None, inputs));

        Assert.Equal($"container has runAsNonRoot and image will run as root (pod: \"web_default({pod.Metadata.Uid})\", container: app)", error.Message);
    }

    [Fact]
    public void RunAsNonRoot_WithRunAsUserOrNonRootImage_Allowed_RootUserRejected()
    {
        var container = TestPods.Busybox("app", "true");
        container.SecurityContext = new V1SecurityContext { RunAsNonRoot = true, RunAsUser = 1000 };
        var pod = TestPods.New("web", "Always", container);
        var builder = new ContainerConfigBuilder(false);

        Assert.Equal(1000, builder.Build(pod, container, 0, PodNetworkInfo.None, new ContainerInputs { ImageUser = new ImageUser(0, null) })
            .Linux.SecurityContext.RunAsUser.Value);

        container.SecurityContext.RunAsUser = null;
        var named = builder.Build(pod, container, 0, PodNetworkInfo.None, new ContainerInputs { ImageUser = new ImageUser(1001, null) });
        Assert.Null(named.Linux.SecurityContext.RunAsUser);

        container.SecurityContext.RunAsUser = 0;
        var error = Assert.Throws<ContainerConfigException>(() => builder.Build(pod, container, 0, PodNetworkInfo.None));
        Assert.StartsWith("container's runAsUser breaks non-root policy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mounts_FromInputs_PassedThrough()
    {
        var container = TestPods.Busybox("app", "true");
        var mount = new Mount { ContainerPath = "/data", HostPath = "/var/x", Readonly = true };

        var config = new ContainerConfigBuilder(false).Build(TestPods.New("web", "Always", container), container, 0, PodNetworkInfo.None,
            new ContainerInputs { Mounts = [mount] });

        Assert.Equal([mount], config.Mounts);
    }

    [Fact]
    public void SubPathExpr_ExpandedFromEnvAndCreated_MissingVariableFails()
    {
        var root = Directory.CreateTempSubdirectory("nvsub-").FullName;
        try
        {
            var container = TestPods.Busybox("app", "true");
            container.Env = [new V1EnvVar { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }];
            container.VolumeMounts = [new V1VolumeMount { Name = "logs", MountPath = "/logs", SubPathExpr = "by-pod/$(POD)" }];
            var pod = TestPods.New("web", "Always", container);
            var inputs = new ContainerInputs { Mounts = [new Mount { ContainerPath = "/logs", HostPath = root }] };

            var mount = Assert.Single(new ContainerConfigBuilder(false).Build(pod, container, 0, PodNetworkInfo.None, inputs).Mounts);

            Assert.Equal(Path.Combine(root, "by-pod", "web"), mount.HostPath);
            Assert.True(Directory.Exists(mount.HostPath));
            container.VolumeMounts[0].SubPathExpr = "$(NOPE)/$(POD)";
            var error = Assert.Throws<ContainerConfigException>(() => new ContainerConfigBuilder(false).Build(pod, container, 0, PodNetworkInfo.None, inputs));
            Assert.Equal("missing value for NOPE", error.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static ContainerConfig Build(V1Container container) =>
        new ContainerConfigBuilder(swapControlled: true).Build(TestPods.New("web", "Always", container), container, 0, PodNetworkInfo.None);

    private static V1Container WithResources((string Cpu, string Memory)? requests, (string Cpu, string Memory)? limits)
    {
        var container = TestPods.Busybox("app", "true");
        container.Resources = new V1ResourceRequirements
        {
            Requests = requests is { } r ? new Dictionary<string, ResourceQuantity> { ["cpu"] = new(r.Cpu), ["memory"] = new(r.Memory) } : null,
            Limits = limits is { } l ? new Dictionary<string, ResourceQuantity> { ["cpu"] = new(l.Cpu), ["memory"] = new(l.Memory) } : null,
        };
        return container;
    }
}
