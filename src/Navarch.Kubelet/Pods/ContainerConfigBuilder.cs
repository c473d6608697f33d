using System.Globalization;
using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Builds the CRI <see cref="ContainerConfig"/> for one container of a pod, as the kubelet's generateContainerConfig does:
/// command and args passed separately (the runtime combines them with the image's entrypoint and cmd, as Docker does),
/// <c>$(VAR)</c> expanded against the container's env (value, fieldRef, resourceFieldRef, configMapKeyRef,
/// secretKeyRef, envFrom), requests and limits as cgroup settings, the effective securityContext, the volume mounts,
/// and the log path <c>&lt;container&gt;/&lt;restartCount&gt;.log</c> relative to the sandbox's log directory.
/// </summary>
public sealed class ContainerConfigBuilder
{
    private readonly bool _swapControlled;

    /// <summary>Where Localhost seccomp profiles are found, as the kubelet's <c>&lt;root-dir&gt;/seccomp</c>.</summary>
    public string SeccompProfileRoot { get; init; } = "/var/lib/kubelet/seccomp";

    /// <summary>A builder for this node's cgroups (whether the swap limit can be set is probed once).</summary>
    public ContainerConfigBuilder()
        : this(SwapLimitSupported())
    {
    }

    /// <param name="swapControlled">Whether the node's cgroups take a swap limit (cgroup v2, or v1 with memsw accounting).</param>
    public ContainerConfigBuilder(bool swapControlled)
    {
        _swapControlled = swapControlled;
    }

    /// <summary>The container's log path relative to the sandbox log directory.</summary>
    public static string LogPath(string containerName, int restartCount) =>
        Path.Combine(containerName, restartCount.ToString(CultureInfo.InvariantCulture) + ".log");

    /// <exception cref="ContainerConfigException">An env source is missing or not resolvable, or runAsNonRoot cannot hold.</exception>
    public ContainerConfig Build(V1Pod pod, V1Container container, int restartCount, PodNetworkInfo network, ContainerInputs? inputs = null)
    {
        inputs ??= ContainerInputs.Empty;
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(network);
        var (name, ns, uid) = PodSandboxConfigBuilder.Identity(pod);
        var hostNetwork = pod.Spec?.HostNetwork == true;

        var security = new LinuxContainerSecurityContext
        {
            NamespaceOptions = new NamespaceOption
            {
                Network = hostNetwork ? NamespaceMode.Node : NamespaceMode.Pod,
                Pid = pod.Spec?.HostPID == true ? NamespaceMode.Node
                    : pod.Spec?.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                Ipc = pod.Spec?.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
            },
        };
        ContainerSecurity.Apply(pod, container, inputs.ImageUser, security);
        security.Seccomp = SeccompProfiles.For(container.SecurityContext?.SeccompProfile, pod.Spec?.SecurityContext?.SeccompProfile, SeccompProfileRoot);

        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = (uint)restartCount },
            Image = new ImageSpec { Image = container.Image },
            WorkingDir = container.WorkingDir ?? string.Empty,
            LogPath = LogPath(container.Name, restartCount),
            Stdin = container.Stdin == true,
            StdinOnce = container.StdinOnce == true,
            Tty = container.Tty == true,
            Linux = new LinuxContainerConfig
            {
                Resources = ContainerResources.Build(pod, container, inputs.NodeAllocatable, _swapControlled),
                SecurityContext = security,
            },
        };

        var env = ContainerEnvironment.Build(pod, container, network, inputs);
        foreach (var (key, value) in env)
        {
            config.Envs.Add(new KeyValue { Key = key, Value = value });
        }

        var lookup = ContainerEnvironment.Lookup(env);
        foreach (var mount in inputs.Mounts)
        {
            config.Mounts.Add(WithSubPathExpression(container, mount, lookup));
        }

        // As the kubelet's makeMounts: its own /etc/hosts, unless the container mounts something there itself.
        if (inputs.PodDirectory is { } podDirectory
            && !config.Mounts.Any(mount => mount.ContainerPath == HostsFile.ContainerPath)
            && HostsFile.Ensure(podDirectory, pod, network.PodIP) is { } hostsPath)
        {
            config.Mounts.Add(new Mount { ContainerPath = HostsFile.ContainerPath, HostPath = hostsPath });
        }

        foreach (var item in container.Command ?? [])
        {
            config.Command.Add(VariableExpansion.Expand(item, lookup));
        }

        foreach (var item in container.Args ?? [])
        {
            config.Args.Add(VariableExpansion.Expand(item, lookup));
        }

        config.Labels[KubernetesLabels.PodName] = name;
        config.Labels[KubernetesLabels.PodNamespace] = ns;
        config.Labels[KubernetesLabels.PodUid] = uid;
        config.Labels[KubernetesLabels.ContainerName] = container.Name;
        config.Annotations[KubernetesLabels.ContainerRestartCount] = restartCount.ToString(CultureInfo.InvariantCulture);
        config.Annotations[KubernetesLabels.ContainerHash] = ContainerHash.Of(container);
        return config;
    }

    /// <summary>
    /// A mount whose volumeMount has a subPathExpr gets the expanded path appended (created as a directory when missing),
    /// as the kubelet's makeMounts does; the expression may only use the container's env, and every variable must be set.
    /// </summary>
    private static Mount WithSubPathExpression(V1Container container, Mount mount, Func<string, string?> lookup)
    {
        var volumeMount = container.VolumeMounts?.FirstOrDefault(candidate => candidate.MountPath == mount.ContainerPath);
        if (string.IsNullOrEmpty(volumeMount?.SubPathExpr))
        {
            return mount;
        }

        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var subPath = VariableExpansion.Expand(volumeMount.SubPathExpr, key =>
        {
            var value = lookup(key);
            if (string.IsNullOrEmpty(value))
            {
                missing.Add(key);
            }

            return value ?? string.Empty;
        });
        if (missing.Count > 0)
        {
            throw new ContainerConfigException($"missing value for {string.Join(", ", missing)}");
        }

        if (Path.IsPathRooted(subPath))
        {
            throw new ContainerConfigException($"error SubPath `{subPath}` must not be an absolute path");
        }

        if (subPath.Split('/').Contains(".."))
        {
            throw new ContainerConfigException($"error SubPath `{subPath}` must not contain '..'");
        }

        var hostPath = Path.Combine(mount.HostPath, subPath);
        Directory.CreateDirectory(hostPath);
        var expanded = mount.Clone();
        expanded.HostPath = hostPath;
        return expanded;
    }

    /// <summary>As the kubelet's swapControllerAvailable: cgroup v2 always, v1 only with memsw accounting compiled in and on.</summary>
    private static bool SwapLimitSupported() =>
        File.Exists("/sys/fs/cgroup/cgroup.controllers") || File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
}
