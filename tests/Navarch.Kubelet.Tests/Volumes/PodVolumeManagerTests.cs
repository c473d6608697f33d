// The kubelet and its tests run on Linux only.
#pragma warning disable CA1416
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Node;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Tests.Volumes;

/// <summary>Volumes set up from a real API server's ConfigMaps, Secrets and tokens, into a temporary pods directory.</summary>
[Collection(NodeApiCollection.Name)]
public sealed class PodVolumeManagerTests(NodeApiFixture fixture) : IDisposable
{
    private const UnixFileMode Mode0644 = (UnixFileMode)0x1A4;
    private const UnixFileMode Mode0400 = (UnixFileMode)0x100;
    private const UnixFileMode Mode0440 = (UnixFileMode)0x120;
    private const UnixFileMode Mode0600 = (UnixFileMode)0x180;

    private readonly string _pods = Directory.CreateTempSubdirectory("nvvol-").FullName;
    // Starts at the real time: the API server stamps token expiry with its own clock.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact(Timeout = 30_000)]
    public async Task ConfigMap_WritesKeysThroughDataSymlinkWithModes()
    {
        var ns = await fixture.NamespaceAsync("vol");
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cfg", ("color", "blue"), ("size", "L")), ns);
        var pod = Pod(ns,
            new V1Volume { Name = "all", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg" } },
            new V1Volume
            {
                Name = "some",
                ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg", DefaultMode = 0x100, Items = [new V1KeyToPath { Key = "color", Path = "nested/c.txt" }, new V1KeyToPath { Key = "size", Path = "s", Mode = 0x180 }] },
            });
        var manager = Manager();

        var volumes = await manager.SetUpAsync(pod, CancellationToken.None);

        var all = manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~configmap", "all");
        Assert.Equal("blue", await File.ReadAllTextAsync(Path.Combine(all, "color")));
        Assert.Equal("L", await File.ReadAllTextAsync(Path.Combine(all, "size")));
        Assert.Equal("..data/color", new FileInfo(Path.Combine(all, "color")).LinkTarget);
        Assert.StartsWith(".." + _time.GetUtcNow().ToString("yyyy_MM_dd_HH_mm_ss", System.Globalization.CultureInfo.InvariantCulture) + ".", new DirectoryInfo(Path.Combine(all, "..data")).LinkTarget, StringComparison.Ordinal);
        Assert.Equal(Mode0644, File.GetUnixFileMode(Path.Combine(all, "..data", "color")));

        var some = manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~configmap", "some");
        Assert.Equal("blue", await File.ReadAllTextAsync(Path.Combine(some, "nested", "c.txt")));
        Assert.Equal(Mode0400, File.GetUnixFileMode(Path.Combine(some, "..data", "nested", "c.txt")));
        Assert.Equal(Mode0600, File.GetUnixFileMode(Path.Combine(some, "..data", "s")));
        Assert.False(File.Exists(Path.Combine(some, "size")));

        var container = new V1Container { Name = "app", VolumeMounts = [new V1VolumeMount { Name = "all", MountPath = "/etc/cfg" }, new V1VolumeMount { Name = "some", MountPath = "/c", SubPath = "nested" }] };
        var mounts = volumes.MountsFor(container);
        Assert.Equal(("/etc/cfg", all, true), (mounts[0].ContainerPath, mounts[0].HostPath, mounts[0].Readonly));
        Assert.Equal(Path.Combine(some, "nested"), mounts[1].HostPath);
    }

    [Fact(Timeout = 30_000)]
    public async Task ConfigMap_Updated_FilesFollowAfterTheCacheTtlAndOldDataIsRemoved()
    {
        var ns = await fixture.NamespaceAsync("vol");
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cfg", ("color", "blue"), ("gone", "x")), ns);
        var pod = Pod(ns, new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg" } });
        var manager = Manager();
        await manager.SetUpAsync(pod, CancellationToken.None);
        var directory = manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~configmap", "cfg");
        var firstData = new DirectoryInfo(Path.Combine(directory, "..data")).LinkTarget;

        await fixture.Admin.CoreV1.ReplaceNamespacedConfigMapAsync(ConfigMap("cfg", ("color", "green"), ("new", "y")), "cfg", ns);
        await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal("blue", await File.ReadAllTextAsync(Path.Combine(directory, "color")));

        _time.Advance(manager.ObjectCacheTtl);
        await manager.SetUpAsync(pod, CancellationToken.None);

        Assert.Equal("green", await File.ReadAllTextAsync(Path.Combine(directory, "color")));
        Assert.Equal("y", await File.ReadAllTextAsync(Path.Combine(directory, "new")));
        Assert.False(File.Exists(Path.Combine(directory, "gone")));
        Assert.NotEqual(firstData, new DirectoryInfo(Path.Combine(directory, "..data")).LinkTarget);
        Assert.Single(Directory.GetDirectories(directory, "..2*"));

        // Unchanged content: no new timestamped directory.
        var data = new DirectoryInfo(Path.Combine(directory, "..data")).LinkTarget;
        _time.Advance(manager.ObjectCacheTtl);
        await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal(data, new DirectoryInfo(Path.Combine(directory, "..data")).LinkTarget);
    }

    [Fact(Timeout = 30_000)]
    public async Task Secret_OnTmpfsWithDefaultModeAndFsGroup_OptionalMissingIsEmpty()
    {
        var ns = await fixture.NamespaceAsync("vol");
        await fixture.Admin.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("s3cret") } }, ns);
        var pod = Pod(ns,
            new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "creds", DefaultMode = 0x100 } },
            new V1Volume { Name = "maybe", Secret = new V1SecretVolumeSource { SecretName = "absent", Optional = true } });
        pod.Spec.SecurityContext = new V1PodSecurityContext { FsGroup = 2345 };
        var manager = Manager();

        await manager.SetUpAsync(pod, CancellationToken.None);

        var directory = manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~secret", "creds");
        Assert.Equal("s3cret", await File.ReadAllTextAsync(Path.Combine(directory, "password")));
        var file = Path.Combine(directory, "..data", "password");
        Assert.Equal(Mode0440, File.GetUnixFileMode(file));
        Assert.Contains(directory, VolumeNative.MountPointsUnder(_pods));
        Assert.Contains($" {directory} ", Mountinfo(directory) ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains(" tmpfs ", Mountinfo(directory) ?? string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain(
            Directory.GetFileSystemEntries(manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~secret", "maybe")),
            entry => !Path.GetFileName(entry).StartsWith("..", StringComparison.Ordinal));

        await manager.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.Empty(VolumeNative.MountPointsUnder(_pods));
        Assert.False(Directory.Exists(Path.Combine(_pods, pod.Metadata.Uid)));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("configmap", "MountVolume.SetUp failed for volume \"v\" : configmap \"absent\" not found")]
    [InlineData("secret", "MountVolume.SetUp failed for volume \"v\" : secret \"absent\" not found")]
    [InlineData("key", "MountVolume.SetUp failed for volume \"v\" : configmap references non-existent config key: nope")]
    public async Task MissingRequiredSource_FailsWithFailedMountMessage(string what, string message)
    {
        var ns = await fixture.NamespaceAsync("vol");
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cfg", ("color", "blue")), ns);
        var volume = what switch
        {
            "configmap" => new V1Volume { Name = "v", ConfigMap = new V1ConfigMapVolumeSource { Name = "absent" } },
            "secret" => new V1Volume { Name = "v", Secret = new V1SecretVolumeSource { SecretName = "absent" } },
            _ => new V1Volume { Name = "v", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg", Items = [new V1KeyToPath { Key = "nope", Path = "n" }] } },
        };
        var manager = Manager();

        var error = await Assert.ThrowsAsync<VolumeSetupException>(() => manager.SetUpAsync(Pod(ns, volume), CancellationToken.None));

        Assert.Equal(message, error.Message);
        await manager.TearDownAsync("none", CancellationToken.None);
    }

    [Fact(Timeout = 30_000)]
    public async Task Projected_ConfigMapDownwardApiAndToken_TokenIsValidJwtForThePodsServiceAccount()
    {
        var ns = await fixture.NamespaceAsync("vol");
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("kube-root-ca.crt", ("ca.crt", "PEM")), ns);
        await fixture.Admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "builder" } }, ns);
        var pod = Pod(ns, new V1Volume
        {
            Name = "kube-api-access",
            Projected = new V1ProjectedVolumeSource
            {
                DefaultMode = 0x1A4,
                Sources =
                [
                    new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = 3607 } },
                    new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                    new V1VolumeProjection
                    {
                        DownwardAPI = new V1DownwardAPIProjection
                        {
                            Items =
                            [
                                new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } },
                                new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } },
                                new V1DownwardAPIVolumeFile { Path = "annotations", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.annotations" } },
                                new V1DownwardAPIVolumeFile { Path = "mem", ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "app", Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } },
                            ],
                        },
                    },
                ],
            },
        });
        pod.Spec.ServiceAccountName = "builder";
        pod.Spec.Containers = [new V1Container { Name = "app", Image = "busybox" }];
        pod.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "b", ["app"] = "web" };
        pod.Metadata.Annotations = new Dictionary<string, string> { ["note"] = "say \"hi\"" };
        var created = await fixture.Admin.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var manager = new PodVolumeManager(fixture.Admin, _pods, _time, NullLogger.Instance)
        {
            NodeAllocatable = new Dictionary<string, ResourceQuantity> { ["memory"] = new("2Gi") },
        };

        await manager.SetUpAsync(created, CancellationToken.None);

        var directory = manager.VolumeDirectory(created.Metadata.Uid, "kubernetes.io~projected", "kube-api-access");
        Assert.Equal("PEM", await File.ReadAllTextAsync(Path.Combine(directory, "ca.crt")));
        Assert.Equal(ns, await File.ReadAllTextAsync(Path.Combine(directory, "namespace")));
        Assert.Equal("app=\"web\"\ntier=\"b\"", await File.ReadAllTextAsync(Path.Combine(directory, "labels")));
        Assert.Equal("note=\"say \\\"hi\\\"\"", await File.ReadAllTextAsync(Path.Combine(directory, "annotations")));
        Assert.Equal("2048", await File.ReadAllTextAsync(Path.Combine(directory, "mem")));
        var token = await File.ReadAllTextAsync(Path.Combine(directory, "token"));
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        using var claims = JsonDocument.Parse(Base64UrlDecode(parts[1]));
        Assert.Equal($"system:serviceaccount:{ns}:builder", claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal(created.Metadata.Uid, claims.RootElement.GetProperty("kubernetes.io").GetProperty("pod").GetProperty("uid").GetString());
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(token, ns));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(parts[0] + "." + parts[1] + ".AAAA", ns));

        // The token is kept while fresh and replaced once 80% of its lifetime has passed.
        await manager.SetUpAsync(created, CancellationToken.None);
        Assert.Equal(token, await File.ReadAllTextAsync(Path.Combine(directory, "token")));
        _time.Advance(TimeSpan.FromSeconds(3607 * 0.81));
        await manager.SetUpAsync(created, CancellationToken.None);
        Assert.NotEqual(token, await File.ReadAllTextAsync(Path.Combine(directory, "token")));
        await manager.TearDownAsync(created.Metadata.Uid, CancellationToken.None);
    }

    [Fact(Timeout = 30_000)]
    public async Task EmptyDirAndHostPath_TmpfsSizeTypeChecksAndMounts()
    {
        var host = Path.Combine(_pods, "host");
        Directory.CreateDirectory(host);
        await File.WriteAllTextAsync(Path.Combine(host, "plain"), "x");
        var pod = Pod("default",
            new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() },
            new V1Volume { Name = "memory", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("8Mi") } },
            new V1Volume { Name = "made", HostPath = new V1HostPathVolumeSource { Path = Path.Combine(host, "made", "dir"), Type = "DirectoryOrCreate" } },
            new V1Volume { Name = "file", HostPath = new V1HostPathVolumeSource { Path = Path.Combine(host, "new.txt"), Type = "FileOrCreate" } });
        var manager = Manager();

        var volumes = await manager.SetUpAsync(pod, CancellationToken.None);

        var memory = manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~empty-dir", "memory");
        Assert.Contains("size=8192k", Mountinfo(memory) ?? string.Empty, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(host, "made", "dir")));
        Assert.True(File.Exists(Path.Combine(host, "new.txt")));
        var scratch = manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~empty-dir", "scratch");
        Assert.Equal((UnixFileMode)0x1FF, File.GetUnixFileMode(scratch));
        var mounts = volumes.MountsFor(new V1Container
        {
            Name = "app",
            VolumeMounts =
            [
                new V1VolumeMount { Name = "scratch", MountPath = "/scratch", MountPropagation = "HostToContainer" },
                new V1VolumeMount { Name = "made", MountPath = "/made", ReadOnlyProperty = true },
            ],
        });
        Assert.Equal((scratch, false, MountPropagation.PropagationHostToContainer), (mounts[0].HostPath, mounts[0].Readonly, mounts[0].Propagation));
        Assert.Equal((Path.Combine(host, "made", "dir"), true), (mounts[1].HostPath, mounts[1].Readonly));
        var missing = Assert.Throws<ContainerConfigException>(() => volumes.MountsFor(new V1Container { Name = "app", VolumeMounts = [new V1VolumeMount { Name = "nope", MountPath = "/x" }] }));
        Assert.Equal("cannot find volume \"nope\" to mount into container \"app\"", missing.Message);

        await manager.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.Null(Mountinfo(memory));
    }

    [Fact(Timeout = 30_000)]
    public async Task MemoryEmptyDir_SizedByThePodsMemoryLimitUnderSizeLimit()
    {
        var pod = Pod("default", new V1Volume { Name = "memory", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("8Mi") } });
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("4Mi") } };
        var manager = Manager();

        await manager.SetUpAsync(pod, CancellationToken.None);

        Assert.Contains("size=4096k", Mountinfo(manager.VolumeDirectory(pod.Metadata.Uid, "kubernetes.io~empty-dir", "memory")) ?? string.Empty, StringComparison.Ordinal);
        await manager.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("Directory", "missing", "is not a directory")]
    [InlineData("Directory", "plain", "is not a directory")]
    [InlineData("File", "missing", "is not a file")]
    [InlineData("Socket", "plain", "is not a socket file")]
    [InlineData("CharDevice", "plain", "is not a character device")]
    [InlineData("Bogus", "plain", null)]
    public async Task HostPath_WrongType_FailsWithKubeletMessage(string type, string name, string? what)
    {
        Directory.CreateDirectory(Path.Combine(_pods, "host"));
        var path = Path.Combine(_pods, "host", name);
        if (name == "plain")
        {
            await File.WriteAllTextAsync(path, "x");
        }

        var pod = Pod("default", new V1Volume { Name = "h", HostPath = new V1HostPathVolumeSource { Path = path, Type = type } });

        var error = await Assert.ThrowsAsync<VolumeSetupException>(() => Manager().SetUpAsync(pod, CancellationToken.None));

        Assert.Equal(
            what is null ? "MountVolume.SetUp failed for volume \"h\" : Bogus is an invalid volume type" : $"MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: {path} {what}",
            error.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task HostPath_DevNullIsACharDevice()
    {
        var pod = Pod("default", new V1Volume { Name = "null", HostPath = new V1HostPathVolumeSource { Path = "/dev/null", Type = "CharDevice" } });

        var volumes = await Manager().SetUpAsync(pod, CancellationToken.None);

        Assert.Equal("/dev/null", volumes.MountsFor(new V1Container { Name = "a", VolumeMounts = [new V1VolumeMount { Name = "null", MountPath = "/n" }] })[0].HostPath);
    }

    public void Dispose()
    {
        MountCleanup.UnmountUnder(_pods);
        Directory.Delete(_pods, recursive: true);
    }

    private PodVolumeManager Manager() => new(fixture.Admin, _pods, _time, NullLogger.Instance);

    private static V1ConfigMap ConfigMap(string name, params (string Key, string Value)[] data) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Data = data.ToDictionary(entry => entry.Key, entry => entry.Value) };

    private static V1Pod Pod(string ns, params V1Volume[] volumes) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-" + Guid.NewGuid().ToString("N")[..6], NamespaceProperty = ns, Uid = Guid.NewGuid().ToString() },
        Spec = new V1PodSpec { NodeName = "node-1", Containers = [new V1Container { Name = "app", Image = "busybox" }], Volumes = volumes },
    };

    /// <summary>The mountinfo line of a mount point, or null when nothing is mounted there.</summary>
    private static string? Mountinfo(string point) =>
        File.ReadLines("/proc/self/mountinfo").FirstOrDefault(line => line.Split(' ')[4] == point);

    private static byte[] Base64UrlDecode(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }

    private async Task<HttpStatusCode> StatusWithTokenAsync(string token, string ns)
    {
        // The test trusts the server's certificate: what matters is whether the token authenticates.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.ApiServer.Url!, $"/api/v1/namespaces/{ns}/configmaps"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
