using System.Globalization;
using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Builds the CRI <see cref="ContainerConfig"/> for one container of a pod, as the kubelet's generateContainerConfig does:
/// command and args passed separately (the runtime combines them with the image's entrypoint and cmd, as Docker does),
/// <c>$(VAR)</c> expanded against the container's env, env from values and supported fieldRefs, and the log path
/// <c>&lt;container&gt;/&lt;restartCount&gt;.log</c> relative to the sandbox's log directory.
/// </summary>
public sealed class ContainerConfigBuilder
{
    /// <summary>The container's log path relative to the sandbox log directory.</summary>
    public static string LogPath(string containerName, int restartCount) =>
        Path.Combine(containerName, restartCount.ToString(CultureInfo.InvariantCulture) + ".log");

    /// <exception cref="ContainerConfigException">An env source is not supported or not resolvable.</exception>
    public ContainerConfig Build(V1Pod pod, V1Container container, int restartCount, PodNetworkInfo network)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(network);
        var (name, ns, uid) = PodSandboxConfigBuilder.Identity(pod);
        var hostNetwork = pod.Spec?.HostNetwork == true;

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
                SecurityContext = new LinuxContainerSecurityContext
                {
                    Privileged = container.SecurityContext?.Privileged == true,
                    NamespaceOptions = new NamespaceOption
                    {
                        Network = hostNetwork ? NamespaceMode.Node : NamespaceMode.Pod,
                        Pid = pod.Spec?.HostPID == true ? NamespaceMode.Node
                            : pod.Spec?.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                        Ipc = pod.Spec?.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
                    },
                },
            },
        };

        var env = BuildEnvironment(pod, container, network, name, ns, uid);
        foreach (var (key, value) in env)
        {
            config.Envs.Add(new KeyValue { Key = key, Value = value });
        }

        var lookup = ToLookup(env);
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
        return config;
    }

    /// <summary>The container's env in order; a later entry with the same name replaces the earlier one, as Kubernetes does.</summary>
    private static List<KeyValuePair<string, string>> BuildEnvironment(
        V1Pod pod, V1Container container, PodNetworkInfo network, string name, string ns, string uid)
    {
        var env = new List<KeyValuePair<string, string>>();
        var lookup = ToLookup(env);
        foreach (var variable in container.Env ?? [])
        {
            string value;
            if (variable.ValueFrom is null)
            {
                value = VariableExpansion.Expand(variable.Value ?? string.Empty, lookup);
            }
            else if (variable.ValueFrom.FieldRef is { } fieldRef)
            {
                value = FieldValue(pod, fieldRef.FieldPath, network, name, ns, uid)
                    ?? throw new ContainerConfigException(
                        $"unsupported fieldPath \"{fieldRef.FieldPath}\" in env var \"{variable.Name}\" of container \"{container.Name}\"");
            }
            else
            {
                throw new ContainerConfigException(
                    $"env var \"{variable.Name}\" of container \"{container.Name}\": only value and fieldRef are supported");
            }

            var index = env.FindIndex(entry => entry.Key == variable.Name);
            if (index >= 0)
            {
                env[index] = new(variable.Name, value);
            }
            else
            {
                env.Add(new(variable.Name, value));
            }
        }

        return env;
    }

    private static Func<string, string?> ToLookup(List<KeyValuePair<string, string>> env) =>
        key =>
        {
            foreach (var entry in env)
            {
                if (entry.Key == key)
                {
                    return entry.Value;
                }
            }

            return null;
        };

    /// <summary>The downward API fields the kubelet resolves for env; null for one it does not know.</summary>
    private static string? FieldValue(V1Pod pod, string fieldPath, PodNetworkInfo network, string name, string ns, string uid) =>
        fieldPath switch
        {
            "metadata.name" => name,
            "metadata.namespace" => ns,
            "metadata.uid" => uid,
            "spec.nodeName" => pod.Spec?.NodeName ?? string.Empty,
            "spec.serviceAccountName" => pod.Spec?.ServiceAccountName ?? string.Empty,
            // For a host-network pod the pod IP is the node's.
            "status.podIP" => network.PodIP ?? (pod.Spec?.HostNetwork == true ? network.HostIP : null) ?? string.Empty,
            "status.hostIP" => network.HostIP ?? string.Empty,
            _ => null,
        };
}
