using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Config;
using Navarch.Kubelet.Tests.Pods;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Tests.Volumes;

/// <summary>Volumes, env and limits as a real busybox container in a real containerd sees them.</summary>
[Collection(ContainerdCollection.Name)]
public sealed class VolumeContainerTests(ContainerdFixture containerd, VolumeApiFixture api) : IClassFixture<VolumeApiFixture>
{
    [Fact(Timeout = 40_000)]
    public async Task Container_ReadsConfigMapVolumeAndEnv_WritesEmptyDirSeenOnTheHost()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(35));
        await api.Admin.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, Data = new Dictionary<string, string> { ["color"] = "blue" } }, "default");
        var container = TestPods.Busybox("app", "sh", "-c",
            "cat /etc/cfg/color; echo; echo env=$COLOR; echo hi > /scratch/x; touch /etc/cfg/new 2>/dev/null && echo writable || echo readonly");
        container.VolumeMounts =
        [
            new V1VolumeMount { Name = "cfg", MountPath = "/etc/cfg" },
            new V1VolumeMount { Name = "scratch", MountPath = "/scratch" },
        ];
        container.Env = [new V1EnvVar { Name = "COLOR", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cfg", Key = "color" } } }];
        var pod = TestPods.New("vol", "Never", container);
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg" } },
            new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() },
        ];
        var manager = new PodVolumeManager(api.Admin, Path.Combine(containerd.Directory, "volume-pods"), TimeProvider.System, NullLogger.Instance);
        var volumes = await manager.SetUpAsync(pod, timeout.Token);
        var inputs = await new ContainerInputsResolver(api.Admin, containerd.Cri).ResolveAsync(pod, container, volumes, timeout.Token);

        var (status, log) = await ContainerRun.ToExitAsync(containerd, pod, container, inputs, timeout.Token);

        Assert.Equal(0, status.ExitCode);
        Assert.Equal(["blue", "env=blue", "readonly"], log);
        var scratch = manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~empty-dir", "scratch");
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(scratch, "x"), timeout.Token));
        await manager.TearDownAsync(pod.Metadata.Uid, timeout.Token);
    }

    [Fact(Timeout = 40_000)]
    public async Task NonRootContainer_ReadsOwnerOnlySecretThroughFsGroup_AndProjectedToken()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(35));
        var ns = await api.NamespaceAsync("sec");
        await api.Admin.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, StringData = new Dictionary<string, string> { ["password"] = "s3cret" } }, ns);
        await api.Admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ns);
        var container = TestPods.Busybox("app", "sh", "-c",
            "cat /creds/password; echo; ls -ln /creds/..data/ | grep password | cut -c1-10; cut -c1-3 /var/run/secrets/kubernetes.io/serviceaccount/token");
        container.VolumeMounts =
        [
            new V1VolumeMount { Name = "creds", MountPath = "/creds" },
            new V1VolumeMount { Name = "token", MountPath = "/var/run/secrets/kubernetes.io/serviceaccount" },
        ];
        var pod = TestPods.New("secret-reader", "Never", container);
        pod.Metadata.NamespaceProperty = ns;
        pod.Spec.SecurityContext = new V1PodSecurityContext { RunAsUser = 1234, FsGroup = 2000 };
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "creds", DefaultMode = 0x100 } },
            new V1Volume
            {
                Name = "token",
                Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token" } }] },
            },
        ];
        // The token is bound to the pod, so the pod must exist in the API.
        pod.Metadata.Uid = null;
        pod = await api.Admin.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var manager = new PodVolumeManager(api.Admin, Path.Combine(containerd.Directory, "volume-pods"), TimeProvider.System, NullLogger.Instance);
        var volumes = await manager.SetUpAsync(pod, timeout.Token);
        var inputs = await new ContainerInputsResolver(api.Admin, containerd.Cri).ResolveAsync(pod, container, volumes, timeout.Token);

        var (status, log) = await ContainerRun.ToExitAsync(containerd, pod, container, inputs, timeout.Token);

        Assert.Equal(0, status.ExitCode);
        Assert.Equal(["s3cret", "-r--r-----", "eyJ"], log);
        await manager.TearDownAsync(pod.Metadata.Uid, timeout.Token);
    }

    [Fact(Timeout = 40_000)]
    public async Task Container_OverItsMemoryLimit_IsOomKilled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(35));
        var container = TestPods.Busybox("hog", "sh", "-c", "x=$(head -c 64m /dev/zero | tr '\\0' a); echo survived");
        container.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("16Mi"), ["cpu"] = new("1") } };
        var pod = TestPods.New("hog", "Never", container);

        var (status, log) = await ContainerRun.ToExitAsync(containerd, pod, container, ContainerInputs.Empty, timeout.Token);

        Assert.Equal("OOMKilled", status.Reason);
        Assert.Equal(137, status.ExitCode);
        Assert.DoesNotContain("survived", log);
    }

    [Fact(Timeout = 30_000)]
    public async Task Resolve_RunAsNonRootWithBusybox_ImageRunsAsRoot_ConfigError()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var container = TestPods.Busybox("app", "true");
        container.SecurityContext = new V1SecurityContext { RunAsNonRoot = true };
        var pod = TestPods.New("nonroot", "Never", container);

        var inputs = await new ContainerInputsResolver(api.Admin, containerd.Cri).ResolveAsync(pod, container, PodVolumes.None, timeout.Token);
        var error = Assert.Throws<ContainerConfigException>(() => new ContainerConfigBuilder().Build(pod, container, 0, PodNetworkInfo.None, inputs));

        Assert.Equal(new ImageUser(0, null), inputs.ImageUser);
        Assert.StartsWith("container has runAsNonRoot and image will run as root", error.Message, StringComparison.Ordinal);
    }
}
