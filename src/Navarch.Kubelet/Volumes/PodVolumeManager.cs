// The kubelet runs on Linux only; file modes, mounts and ownership are Unix calls.
#pragma warning disable CA1416
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Volumes;

/// <summary>
/// Sets up and tears down the volumes of the pods on this node under
/// <c>&lt;pods-directory&gt;/&lt;uid&gt;/volumes/&lt;plugin&gt;/&lt;name&gt;</c> (plugin directories named as the kubelet's,
/// e.g. <c>kubernetes.io~configmap</c>), and keeps ConfigMap, Secret, downward API and projected volumes up to date:
/// each call re-reads their sources (through a short TTL cache) and rewrites the files, atomically, only when they changed.
/// emptyDir with medium Memory, Secret, downward API and projected volumes are tmpfs mounts, as the kubelet makes them.
/// </summary>
public sealed class PodVolumeManager(IKubernetes client, string podsDirectory, TimeProvider time, ILogger logger)
{
    private const UnixFileMode DefaultFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode GroupReadable = UnixFileMode.UserRead | UnixFileMode.GroupRead;
    private const UnixFileMode EveryoneAll = (UnixFileMode)0x1FF;
    private const long DefaultTokenExpirationSeconds = 3600;

    private readonly ConcurrentDictionary<string, PodState> _pods = new();
    private readonly AtomicWriter _writer = new(time);
    private readonly ServiceAccountTokens _tokens = new(client, time);
    private ApiObjectCache? _objects;

    public string PodsDirectory { get; } = podsDirectory;

    /// <summary>How long a ConfigMap or Secret read for a volume is reused before it is read again.</summary>
    public TimeSpan ObjectCacheTtl { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The node's allocatable resources: downward API resourceFieldRef limits default to them.</summary>
    public IReadOnlyDictionary<string, ResourceQuantity>? NodeAllocatable { get; init; }

    // Made on first use, after the init-only TTL is set; pod syncs run in parallel, so exactly one is kept.
    private ApiObjectCache Objects => LazyInitializer.EnsureInitialized(ref _objects, () => new ApiObjectCache(client, time, ObjectCacheTtl));

    /// <summary>The directory of one volume of a pod.</summary>
    public string VolumeDirectory(string podUid, string plugin, string volumeName) =>
        Path.Combine(PodsDirectory, podUid, "volumes", plugin, volumeName);

    /// <summary>Sets up (or refreshes) every volume of the pod; idempotent, cheap to call on every pod sync.</summary>
    /// <exception cref="VolumeSetupException">A volume cannot be set up yet (the first failure, as the kubelet's FailedMount says it).</exception>
    public async Task<PodVolumes> SetUpAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var uid = PodSandboxConfigBuilder.Identity(pod).Uid;
        var state = _pods.GetOrAdd(uid, _ => new PodState());
        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sources = new Dictionary<string, VolumeMountSource>(StringComparer.Ordinal);
            VolumeSetupException? failure = null;
            foreach (var volume in pod.Spec?.Volumes ?? [])
            {
                try
                {
                    sources[volume.Name] = await SetUpVolumeAsync(pod, volume, state, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is VolumeSetupException or ContainerConfigException or IOException or UnauthorizedAccessException or HttpRequestException)
                {
                    // The other volumes still go ahead, so one missing ConfigMap does not delay the rest.
                    failure ??= new VolumeSetupException($"MountVolume.SetUp failed for volume \"{volume.Name}\" : {e.Message}", e);
                }
            }

            return failure is null ? new PodVolumes(sources, Path.Combine(PodsDirectory, uid)) : throw failure;
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>Unmounts the pod's tmpfs volumes and removes its directory once its containers are gone.</summary>
    public async Task TearDownAsync(string podUid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(podUid);
        var state = _pods.GetOrAdd(podUid, _ => new PodState());
        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var podDirectory = Path.Combine(PodsDirectory, podUid);
            foreach (var point in VolumeNative.MountPointsUnder(podDirectory))
            {
                if (VolumeNative.Unmount(point, VolumeNative.MNT_DETACH) != 0)
                {
                    VolumeLog.UnmountFailed(logger, point, Marshal.GetLastPInvokeError());
                }
            }

            if (Directory.Exists(podDirectory))
            {
                Directory.Delete(podDirectory, recursive: true);
            }

            _tokens.Forget(podUid);
            Objects.Prune();
            _pods.TryRemove(podUid, out _);
            VolumeLog.TornDown(logger, podUid);
        }
        finally
        {
            state.Lock.Release();
        }
    }

    private async Task<VolumeMountSource> SetUpVolumeAsync(V1Pod pod, V1Volume volume, PodState state, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var ns = PodSandboxConfigBuilder.Identity(pod).Namespace;
        var fsGroup = pod.Spec?.SecurityContext?.FsGroup;
        if (volume.EmptyDir is { } emptyDir)
        {
            var directory = VolumeDirectory(uid, "kubernetes.io~empty-dir", volume.Name);
            if (state.Prepared.Contains(directory))
            {
                return new VolumeMountSource(directory, ReadOnly: false);
            }

            Directory.CreateDirectory(directory);
            if (emptyDir.Medium == "Memory")
            {
                EnsureTmpfs(directory, MemoryVolumeSize(pod, emptyDir.SizeLimit));
            }

            // As the kubelet's emptyDir: open to every user of the pod; with fsGroup, owned by it and setgid.
            var mode = EveryoneAll;
            if (fsGroup is { } group)
            {
                VolumeNative.ChangeGroup(directory, group);
                mode |= UnixFileMode.SetGroup;
            }

            File.SetUnixFileMode(directory, mode);
            state.Prepared.Add(directory);
            return new VolumeMountSource(directory, ReadOnly: false);
        }

        if (volume.HostPath is { } hostPath)
        {
            if (state.Prepared.Add("hostPath:" + volume.Name))
            {
                try
                {
                    HostPathTypeChecker.Check(hostPath.Path, hostPath.Type);
                }
                catch
                {
                    state.Prepared.Remove("hostPath:" + volume.Name);
                    throw;
                }
            }

            return new VolumeMountSource(hostPath.Path, ReadOnly: false);
        }

        if (volume.ConfigMap is { } configMapSource)
        {
            var directory = VolumeDirectory(uid, "kubernetes.io~configmap", volume.Name);
            var payload = new List<PayloadFile>();
            await AddConfigMapAsync(payload, ns, configMapSource.Name, configMapSource.Items, configMapSource.Optional == true,
                Mode(configMapSource.DefaultMode), cancellationToken).ConfigureAwait(false);
            Publish(state, pod, volume.Name, directory, payload, fsGroup);
            return new VolumeMountSource(directory, ReadOnly: true);
        }

        if (volume.Secret is { } secretSource)
        {
            var directory = VolumeDirectory(uid, "kubernetes.io~secret", volume.Name);
            PrepareTmpfs(state, directory);
            var payload = new List<PayloadFile>();
            await AddSecretAsync(payload, ns, secretSource.SecretName, secretSource.Items, secretSource.Optional == true,
                Mode(secretSource.DefaultMode), cancellationToken).ConfigureAwait(false);
            Publish(state, pod, volume.Name, directory, payload, fsGroup);
            return new VolumeMountSource(directory, ReadOnly: true);
        }

        if (volume.DownwardAPI is { } downwardApi)
        {
            var directory = VolumeDirectory(uid, "kubernetes.io~downward-api", volume.Name);
            PrepareTmpfs(state, directory);
            var payload = new List<PayloadFile>();
            AddDownwardApi(payload, pod, downwardApi.Items, Mode(downwardApi.DefaultMode));
            Publish(state, pod, volume.Name, directory, payload, fsGroup);
            return new VolumeMountSource(directory, ReadOnly: true);
        }

        if (volume.Projected is { } projected)
        {
            var directory = VolumeDirectory(uid, "kubernetes.io~projected", volume.Name);
            PrepareTmpfs(state, directory);
            var payload = new List<PayloadFile>();
            var defaultMode = Mode(projected.DefaultMode);
            foreach (var source in projected.Sources ?? [])
            {
                if (source.ConfigMap is { } configMap)
                {
                    await AddConfigMapAsync(payload, ns, configMap.Name, configMap.Items, configMap.Optional == true, defaultMode, cancellationToken)
                        .ConfigureAwait(false);
                }
                else if (source.Secret is { } secret)
                {
                    await AddSecretAsync(payload, ns, secret.Name, secret.Items, secret.Optional == true, defaultMode, cancellationToken)
                        .ConfigureAwait(false);
                }
                else if (source.DownwardAPI is { } downward)
                {
                    AddDownwardApi(payload, pod, downward.Items, defaultMode);
                }
                else if (source.ServiceAccountToken is { } token)
                {
                    var value = await _tokens.GetAsync(pod, token.Audience ?? string.Empty, token.ExpirationSeconds ?? DefaultTokenExpirationSeconds, cancellationToken)
                        .ConfigureAwait(false);
                    payload.Add(new PayloadFile(CheckedPath(token.Path), Encoding.UTF8.GetBytes(value), defaultMode));
                }
                else
                {
                    throw new VolumeSetupException("unsupported projected volume source");
                }
            }

            Publish(state, pod, volume.Name, directory, payload, fsGroup);
            return new VolumeMountSource(directory, ReadOnly: true);
        }

        throw new VolumeSetupException("unsupported volume type: only emptyDir, hostPath, configMap, secret, downwardAPI and projected are supported");
    }

    private async Task AddConfigMapAsync(
        List<PayloadFile> payload, string ns, string? name, IList<V1KeyToPath>? items, bool optional, UnixFileMode defaultMode,
        CancellationToken cancellationToken)
    {
        var configMap = await Objects.ConfigMapAsync(ns, name ?? string.Empty, cancellationToken).ConfigureAwait(false);
        if (configMap is null)
        {
            if (optional)
            {
                return;
            }

            // The kubelet's configmap manager names the resource in the singular.
            throw new VolumeSetupException($"configmap \"{name}\" not found");
        }

        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }

        foreach (var (key, value) in configMap.BinaryData ?? new Dictionary<string, byte[]>())
        {
            data[key] = value;
        }

        AddKeys(payload, data, items, optional, defaultMode, key => $"configmap references non-existent config key: {key}");
    }

    private async Task AddSecretAsync(
        List<PayloadFile> payload, string ns, string? name, IList<V1KeyToPath>? items, bool optional, UnixFileMode defaultMode,
        CancellationToken cancellationToken)
    {
        var secret = await Objects.SecretAsync(ns, name ?? string.Empty, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            if (optional)
            {
                return;
            }

            throw new VolumeSetupException($"secret \"{name}\" not found");
        }

        AddKeys(payload, secret.Data ?? new Dictionary<string, byte[]>(), items, optional, defaultMode,
            key => $"references non-existent secret key: {key}");
    }

    /// <summary>Every key as a file named after it, or only the listed items at their paths (the kubelet's MakePayload).</summary>
    private static void AddKeys(
        List<PayloadFile> payload, IDictionary<string, byte[]> data, IList<V1KeyToPath>? items, bool optional, UnixFileMode defaultMode,
        Func<string, string> missingKey)
    {
        if (items is not { Count: > 0 })
        {
            foreach (var (key, value) in data)
            {
                payload.Add(new PayloadFile(CheckedPath(key), value, defaultMode));
            }

            return;
        }

        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var value))
            {
                if (optional)
                {
                    continue;
                }

                throw new VolumeSetupException(missingKey(item.Key));
            }

            payload.Add(new PayloadFile(CheckedPath(item.Path), value, Mode(item.Mode, defaultMode)));
        }
    }

    private void AddDownwardApi(List<PayloadFile> payload, V1Pod pod, IList<V1DownwardAPIVolumeFile>? items, UnixFileMode defaultMode)
    {
        var network = new PodNetworkInfo(pod.Status?.PodIP, pod.Status?.HostIP);
        foreach (var item in items ?? [])
        {
            string value;
            if (item.FieldRef is { } fieldRef)
            {
                value = DownwardApi.FieldValue(pod, fieldRef.FieldPath, network);
            }
            else if (item.ResourceFieldRef is { } resourceRef)
            {
                var container = (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? [])
                    .FirstOrDefault(candidate => candidate.Name == resourceRef.ContainerName)
                    ?? throw new VolumeSetupException($"container {resourceRef.ContainerName} not found in pod");
                value = DownwardApi.ResourceValue(container, resourceRef.Resource, resourceRef.Divisor, NodeAllocatable);
            }
            else
            {
                continue;
            }

            payload.Add(new PayloadFile(CheckedPath(item.Path), Encoding.UTF8.GetBytes(value), Mode(item.Mode, defaultMode)));
        }
    }

    /// <summary>Writes the payload when it differs from what the directory holds (known from the last write, else read back once).</summary>
    private void Publish(PodState state, V1Pod pod, string volumeName, string directory, List<PayloadFile> payload, long? fsGroup)
    {
        if (fsGroup is not null)
        {
            // As the kubelet's SetVolumeOwnership for read-only volumes: the group may read every file.
            payload = [.. payload.Select(file => file with { Mode = file.Mode | GroupReadable })];
        }

        var digest = Digest(payload);
        if (state.Written.TryGetValue(directory, out var written) && written.AsSpan().SequenceEqual(digest))
        {
            return;
        }

        if (written is not null || !AtomicWriter.Matches(directory, payload))
        {
            _writer.Write(directory, payload, fsGroup);
            VolumeLog.VolumeUpdated(logger, volumeName, pod.Metadata.Uid, payload.Count);
        }

        state.Written[directory] = digest;
    }

    /// <summary>
    /// The size of a memory-backed emptyDir, as the kubelet's calculateEmptyDirMemorySize: the pod's memory limit (when
    /// every container has one), else the node's allocatable memory, capped by sizeLimit.
    /// </summary>
    private ResourceQuantity? MemoryVolumeSize(V1Pod pod, ResourceQuantity? sizeLimit)
    {
        decimal? podLimit = 0m;
        foreach (var container in pod.Spec?.Containers ?? [])
        {
            podLimit = container.Resources?.Limits is { } limits && limits.TryGetValue("memory", out var limit) ? podLimit + limit.ToDecimal() : null;
        }

        var size = podLimit is > 0 ? podLimit
            : NodeAllocatable is not null && NodeAllocatable.TryGetValue("memory", out var allocatable) ? allocatable.ToDecimal() : (decimal?)null;
        if (sizeLimit?.ToDecimal() is > 0 and var cap && (size is null || cap < size))
        {
            size = cap;
        }

        return size is { } bytes ? new ResourceQuantity(((long)Math.Ceiling(bytes)).ToString(CultureInfo.InvariantCulture)) : null;
    }

    private static void PrepareTmpfs(PodState state, string directory)
    {
        if (state.Prepared.Contains(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        EnsureTmpfs(directory, sizeLimit: null);
        state.Prepared.Add(directory);
    }

    /// <summary>Mounts a tmpfs on <paramref name="directory"/> unless one is there (after a kubelet restart it already is).</summary>
    private static void EnsureTmpfs(string directory, ResourceQuantity? sizeLimit)
    {
        if (VolumeNative.MountPointsUnder(directory).Contains(directory.TrimEnd('/')))
        {
            return;
        }

        var options = sizeLimit?.ToDecimal() is > 0 and var size
            ? "size=" + ((long)Math.Ceiling(size)).ToString(CultureInfo.InvariantCulture)
            : string.Empty;
        if (VolumeNative.Mount("tmpfs", directory, "tmpfs", 0, options) != 0)
        {
            throw new VolumeSetupException($"mount tmpfs on {directory} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>A file path inside the volume; API validation forbids others, this guards the node against a bad object.</summary>
    private static string CheckedPath(string path)
    {
        if (string.IsNullOrEmpty(path) || Path.IsPathRooted(path) || path.Split('/').Any(part => part.StartsWith("..", StringComparison.Ordinal)))
        {
            throw new VolumeSetupException($"invalid path \"{path}\": must be relative and may not start with '..'");
        }

        return path;
    }

    private static byte[] Digest(List<PayloadFile> payload)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[4];
        foreach (var file in payload.OrderBy(file => file.Path, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.Path));
            BinaryPrimitives.WriteInt32LittleEndian(number, (int)file.Mode);
            hash.AppendData(number);
            BinaryPrimitives.WriteInt32LittleEndian(number, file.Content.Length);
            hash.AppendData(number);
            hash.AppendData(file.Content);
        }

        return hash.GetHashAndReset();
    }

    private static UnixFileMode Mode(int? mode) => mode is { } value ? (UnixFileMode)value : DefaultFileMode;

    private static UnixFileMode Mode(int? mode, UnixFileMode fallback) => mode is { } value ? (UnixFileMode)value : fallback;

    private sealed class PodState
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        /// <summary>Volume directories (and hostPath checks) already prepared; they are not prepared again for this pod.</summary>
        public HashSet<string> Prepared { get; } = new(StringComparer.Ordinal);

        /// <summary>The digest of what each atomic-writer directory holds, so an unchanged payload costs no disk reads.</summary>
        public Dictionary<string, byte[]> Written { get; } = new(StringComparer.Ordinal);
    }
}
