using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Builds the CRI <see cref="PodSandboxConfig"/> for a pod, as the kubelet's generatePodSandboxConfig does:
/// metadata, hostname, log directory <c>&lt;logs-root&gt;/&lt;ns&gt;_&lt;pod&gt;_&lt;uid&gt;</c>, labels, the namespaces and the
/// pod-level security context (determinePodSandboxSecurityContext: the pod's runAsUser, runAsGroup, fsGroup and
/// supplementalGroups; privileged when any container is) with the pod's sysctls.
/// </summary>
public sealed class PodSandboxConfigBuilder
{
    private const int MaxHostnameLength = 63;

    /// <param name="logsRoot">The directory holding every pod's log directory.</param>
    /// <param name="resolvConfPath">The node's resolver config, the base of a pod's DNS config (the kubelet's --resolv-conf).</param>
    /// <summary>Where Localhost seccomp profiles are found, as the kubelet's <c>&lt;root-dir&gt;/seccomp</c>.</summary>
    public string SeccompProfileRoot { get; init; } = "/var/lib/kubelet/seccomp";

    public PodSandboxConfigBuilder(string logsRoot, string resolvConfPath = "/etc/resolv.conf")
    {
        ArgumentException.ThrowIfNullOrEmpty(logsRoot);
        LogsRoot = logsRoot;
        ResolvConfPath = resolvConfPath;
    }

    /// <summary>The node's resolver config.</summary>
    public string ResolvConfPath { get; }

    /// <summary>The directory holding every pod's log directory (<c>agent/logs</c> in the data dir).</summary>
    public string LogsRoot { get; }

    /// <summary>The pod's log directory, <c>&lt;logs-root&gt;/&lt;namespace&gt;_&lt;name&gt;_&lt;uid&gt;</c>.</summary>
    public string LogDirectory(V1Pod pod)
    {
        var (name, ns, uid) = Identity(pod);
        return Path.Combine(LogsRoot, $"{ns}_{name}_{uid}");
    }

    public PodSandboxConfig Build(V1Pod pod, uint attempt = 0)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var (name, ns, uid) = Identity(pod);
        var hostNetwork = pod.Spec?.HostNetwork == true;
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = ns, Uid = uid, Attempt = attempt },
            // As the kubelet does, a host-network pod keeps the node's hostname (it shares the node's UTS namespace).
            Hostname = hostNetwork ? string.Empty : Hostname(pod, name),
            LogDirectory = LogDirectory(pod),
            DnsConfig = PodDns.Build(pod, ResolvConfPath),
            Linux = new LinuxPodSandboxConfig
            {
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption
                    {
                        Network = hostNetwork ? NamespaceMode.Node : NamespaceMode.Pod,
                        Pid = pod.Spec?.HostPID == true ? NamespaceMode.Node : NamespaceMode.Container,
                        Ipc = pod.Spec?.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
                    },
                },
            },
        };

        // As the kubelet does, the pod's own labels come first and the kubelet's identity labels win over them.
        if (pod.Metadata?.Labels is { } labels)
        {
            foreach (var (key, value) in labels)
            {
                config.Labels[key] = value;
            }
        }

        config.Labels[KubernetesLabels.PodName] = name;
        config.Labels[KubernetesLabels.PodNamespace] = ns;
        config.Labels[KubernetesLabels.PodUid] = uid;
        if (pod.Metadata?.Annotations is { } annotations)
        {
            foreach (var (key, value) in annotations)
            {
                config.Annotations[key] = value;
            }
        }

        var podContext = pod.Spec?.SecurityContext;
        var security = config.Linux.SecurityContext;
        if (podContext?.RunAsUser is { } runAsUser)
        {
            security.RunAsUser = new Int64Value { Value = runAsUser };
        }

        if (podContext?.RunAsGroup is { } gid)
        {
            security.RunAsGroup = new Int64Value { Value = gid };
        }

        security.SupplementalGroups.AddRange(ContainerSecurity.Groups(podContext));
        security.Seccomp = SeccompProfiles.For(null, podContext?.SeccompProfile, SeccompProfileRoot);
        security.Privileged = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? [])
            .Any(container => container.SecurityContext?.Privileged == true);
        foreach (var sysctl in podContext?.Sysctls ?? [])
        {
            config.Linux.Sysctls[sysctl.Name] = sysctl.Value;
        }
        return config;
    }

    internal static (string Name, string Namespace, string Uid) Identity(V1Pod pod)
    {
        var name = pod.Metadata?.Name;
        var uid = pod.Metadata?.Uid;
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(uid))
        {
            throw new ArgumentException("pod must have metadata.name and metadata.uid", nameof(pod));
        }

        var ns = string.IsNullOrEmpty(pod.Metadata?.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty;
        return (name, ns, uid);
    }

    /// <summary>spec.hostname, else the pod name, truncated to a DNS label as the kubelet does (dropping trailing '-' and '.').</summary>
    private static string Hostname(V1Pod pod, string name)
    {
        var hostname = string.IsNullOrEmpty(pod.Spec?.Hostname) ? name : pod.Spec.Hostname;
        if (hostname.Length > MaxHostnameLength)
        {
            hostname = hostname[..MaxHostnameLength].TrimEnd('-', '.');
        }

        return hostname;
    }
}
