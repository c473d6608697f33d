using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Admission.ServiceAccount;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>The ServiceAccount admission plugin on its own, with a fixed set of service accounts.</summary>
public sealed class ServiceAccountAdmissionTests
{
    private const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static readonly ResourceRegistry Registry = ResourceRegistry.CreateDefault();

    private static AdmissionRequest Request(V1Pod pod, AdmissionOperation operation = AdmissionOperation.Create) =>
        new(operation, Registry.Find("", "v1", "pods")!, null, "team", pod.Metadata.Name, pod, null, DryRun: false);

    private static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Spec = new V1PodSpec
        {
            InitContainers = [new V1Container { Name = "init", Image = "busybox" }],
            Containers = [new V1Container { Name = "c", Image = "nginx" }, new V1Container { Name = "d", Image = "nginx" }],
        },
    };

    private static V1ServiceAccount Account(string name, bool? automount = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "team" },
        AutomountServiceAccountToken = automount,
    };

    private static ServiceAccountAdmission Plugin(params V1ServiceAccount[] accounts) => new(new FixedLister(accounts), new Random(7));

    [Fact]
    public async Task PodWithoutServiceAccount_GetsDefaultInBothFields()
    {
        var pod = Pod();

        await Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal(("default", "default"), (pod.Spec.ServiceAccountName, pod.Spec.ServiceAccount));
    }

    [Fact]
    public async Task PodNamingOnlyTheDeprecatedField_KeepsThatAccount()
    {
        var pod = Pod();
        pod.Spec.ServiceAccount = "builder";

        await Plugin(Account("builder")).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal(("builder", "builder"), (pod.Spec.ServiceAccountName, pod.Spec.ServiceAccount));
    }

    [Fact]
    public async Task Create_InjectsProjectedVolumeOfUpstreamShape()
    {
        var pod = Pod();

        await Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None);

        var volume = Assert.Single(pod.Spec.Volumes);
        Assert.Matches("^kube-api-access-[a-z0-9]{5}$", volume.Name);
        var expected = "{\"name\":\"" + volume.Name + "\",\"projected\":{\"defaultMode\":420,\"sources\":["
            + "{\"serviceAccountToken\":{\"expirationSeconds\":3607,\"path\":\"token\"}},"
            + "{\"configMap\":{\"items\":[{\"key\":\"ca.crt\",\"path\":\"ca.crt\"}],\"name\":\"kube-root-ca.crt\"}},"
            + "{\"downwardAPI\":{\"items\":[{\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.namespace\"},\"path\":\"namespace\"}]}}]}}";
        Assert.Equal(expected, KubernetesJson.Serialize(volume));
        foreach (var container in pod.Spec.InitContainers.Concat(pod.Spec.Containers))
        {
            var mount = Assert.Single(container.VolumeMounts);
            Assert.Equal("{\"mountPath\":\"" + MountPath + "\",\"name\":\"" + volume.Name + "\",\"readOnly\":true}", KubernetesJson.Serialize(mount));
        }
    }

    [Fact]
    public async Task Create_EphemeralContainersGetTheMountToo()
    {
        var pod = Pod();
        pod.Spec.EphemeralContainers = [new V1EphemeralContainer { Name = "debug", Image = "busybox" }];

        await Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal(pod.Spec.Volumes.Single().Name, Assert.Single(pod.Spec.EphemeralContainers[0].VolumeMounts).Name);
    }

    [Fact]
    public async Task AutomountFalseOnPod_WinsOverAccountTrue()
    {
        var pod = Pod();
        pod.Spec.AutomountServiceAccountToken = false;

        await Plugin(Account("default", automount: true)).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Null(pod.Spec.Volumes);
        Assert.All(pod.Spec.Containers, c => Assert.Null(c.VolumeMounts));
    }

    [Fact]
    public async Task AutomountFalseOnAccount_MountsNothing()
    {
        var pod = Pod();

        await Plugin(Account("default", automount: false)).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Null(pod.Spec.Volumes);
        Assert.Equal("default", pod.Spec.ServiceAccountName);
    }

    [Fact]
    public async Task AutomountTrueOnPod_WinsOverAccountFalse()
    {
        var pod = Pod();
        pod.Spec.AutomountServiceAccountToken = true;

        await Plugin(Account("default", automount: false)).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Single(pod.Spec.Volumes);
    }

    [Fact]
    public async Task MissingServiceAccount_AdmitsPodWithOnlyTheNameDefaulted()
    {
        var pod = Pod();
        var before = KubernetesJson.Serialize(pod.Spec);

        await Plugin(Account("someone-else")).AdmitAsync(Request(pod), CancellationToken.None);

        pod.Spec.ServiceAccountName = null;
        pod.Spec.ServiceAccount = null;
        Assert.Equal(before, KubernetesJson.Serialize(pod.Spec));
    }

    [Fact]
    public async Task ContainerMountingSomethingAtThePath_IsLeftAlone()
    {
        var pod = Pod();
        pod.Spec.Volumes = [new V1Volume { Name = "own", EmptyDir = new V1EmptyDirVolumeSource() }];
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "own", MountPath = MountPath }];

        await Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal("own", Assert.Single(pod.Spec.Containers[0].VolumeMounts).Name);
        var injected = pod.Spec.Volumes.Single(v => v.Name != "own").Name;
        Assert.Equal(injected, Assert.Single(pod.Spec.Containers[1].VolumeMounts).Name);
        Assert.Equal(injected, Assert.Single(pod.Spec.InitContainers[0].VolumeMounts).Name);
    }

    [Fact]
    public async Task EveryContainerMountingThePath_GetsNoVolume()
    {
        var pod = Pod();
        foreach (var container in pod.Spec.InitContainers.Concat(pod.Spec.Containers))
        {
            container.VolumeMounts = [new V1VolumeMount { Name = "own", MountPath = MountPath }];
        }

        await Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Null(pod.Spec.Volumes);
    }

    [Fact]
    public async Task ExistingKubeApiAccessVolume_IsReusedNotDuplicated()
    {
        var pod = Pod();
        pod.Spec.Volumes = [new V1Volume { Name = "kube-api-access-abcde", Projected = ServiceAccountAdmission.TokenVolumeSource() }];

        await Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal("kube-api-access-abcde", Assert.Single(pod.Spec.Volumes).Name);
        Assert.All(pod.Spec.Containers, c => Assert.Equal("kube-api-access-abcde", Assert.Single(c.VolumeMounts).Name));
    }

    [Fact]
    public async Task AccountPullSecrets_AreCopiedToPodWithoutAny()
    {
        var account = Account("default");
        account.ImagePullSecrets = [new V1LocalObjectReference { Name = "registry" }];
        var pod = Pod();

        await Plugin(account).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal("registry", Assert.Single(pod.Spec.ImagePullSecrets).Name);
    }

    [Fact]
    public async Task Update_IsLeftAlone()
    {
        var pod = Pod();

        await Plugin(Account("default")).AdmitAsync(Request(pod, AdmissionOperation.Update), CancellationToken.None);

        Assert.Null(pod.Spec.ServiceAccountName);
        Assert.Null(pod.Spec.Volumes);
    }

    [Fact]
    public async Task MirrorPod_IsNotChanged()
    {
        var pod = Pod();
        pod.Metadata.Annotations = new Dictionary<string, string> { ["kubernetes.io/config.mirror"] = "hash" };

        await Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Null(pod.Spec.ServiceAccountName);
        Assert.Null(pod.Spec.Volumes);
    }

    [Fact]
    public async Task MirrorPodNamingServiceAccount_IsForbidden()
    {
        var pod = Pod();
        pod.Metadata.Annotations = new Dictionary<string, string> { ["kubernetes.io/config.mirror"] = "hash" };
        pod.Spec.ServiceAccountName = "default";

        var error = await Assert.ThrowsAsync<Errors.ApiException>(() => Plugin(Account("default")).AdmitAsync(Request(pod), CancellationToken.None).AsTask());

        Assert.Equal(403, error.Code);
        Assert.Equal("pods \"p\" is forbidden: a mirror pod may not reference service accounts", error.Message);
    }

    private sealed class FixedLister(params V1ServiceAccount[] accounts) : IServiceAccountLister
    {
        public ValueTask<V1ServiceAccount?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
            ValueTask.FromResult(accounts.FirstOrDefault(a => a.Metadata.NamespaceProperty == @namespace && a.Metadata.Name == name));
    }
}
