using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// The pod's and container's securityContext as CRI fields, as the kubelet's determineEffectiveSecurityContext does:
/// runAsUser, runAsGroup and runAsNonRoot from the container when it sets them, else from the pod; groups (fsGroup, then
/// supplementalGroups) from the pod; privileged, capabilities, readOnlyRootFilesystem and allowPrivilegeEscalation
/// from the container alone.
/// </summary>
internal static class ContainerSecurity
{
    /// <summary>Fills the identity, privilege and capability fields of <paramref name="target"/>.</summary>
    /// <exception cref="ContainerConfigException">runAsNonRoot cannot hold.</exception>
    public static void Apply(V1Pod pod, V1Container container, ImageUser? imageUser, LinuxContainerSecurityContext target)
    {
        var podContext = pod.Spec?.SecurityContext;
        var context = container.SecurityContext;
        var runAsUser = context?.RunAsUser ?? podContext?.RunAsUser;
        var runAsGroup = context?.RunAsGroup ?? podContext?.RunAsGroup;
        var runAsNonRoot = context?.RunAsNonRoot ?? podContext?.RunAsNonRoot;

        if (runAsNonRoot == true)
        {
            VerifyRunAsNonRoot(pod, container, runAsUser, imageUser);
        }

        if (runAsUser is { } uid)
        {
            target.RunAsUser = new Int64Value { Value = uid };
        }
        else if (imageUser?.Username is { Length: > 0 } username)
        {
            target.RunAsUsername = username;
        }

        if (runAsGroup is { } gid)
        {
            target.RunAsGroup = new Int64Value { Value = gid };
        }

        target.SupplementalGroups.AddRange(Groups(podContext));
        target.Privileged = context?.Privileged == true;
        target.ReadonlyRootfs = context?.ReadOnlyRootFilesystem == true;
        // As the kubelet's AddNoNewPrivileges: only an explicit allowPrivilegeEscalation: false sets no_new_privs.
        target.NoNewPrivs = context?.AllowPrivilegeEscalation == false;
        if (context?.Capabilities is { } capabilities)
        {
            target.Capabilities = new Capability();
            target.Capabilities.AddCapabilities.AddRange(capabilities.Add ?? []);
            target.Capabilities.DropCapabilities.AddRange(capabilities.Drop ?? []);
        }
    }

    /// <summary>The pod's fsGroup, then its supplementalGroups, without repeats.</summary>
    public static IEnumerable<long> Groups(V1PodSecurityContext? podContext)
    {
        var groups = new List<long>();
        if (podContext?.FsGroup is { } fsGroup)
        {
            groups.Add(fsGroup);
        }

        foreach (var group in podContext?.SupplementalGroups ?? [])
        {
            if (group is { } value && !groups.Contains(value))
            {
                groups.Add(value);
            }
        }

        return groups;
    }

    /// <summary>The kubelet's verifyRunAsNonRoot, with its messages.</summary>
    private static void VerifyRunAsNonRoot(V1Pod pod, V1Container container, long? runAsUser, ImageUser? imageUser)
    {
        var (name, ns, uid) = PodSandboxConfigBuilder.Identity(pod);
        var podName = $"{name}_{ns}({uid})";
        if (runAsUser is { } user)
        {
            if (user == 0)
            {
                throw new ContainerConfigException($"container's runAsUser breaks non-root policy (pod: \"{podName}\", container: {container.Name})");
            }

            return;
        }

        if (imageUser?.Uid == 0)
        {
            throw new ContainerConfigException($"container has runAsNonRoot and image will run as root (pod: \"{podName}\", container: {container.Name})");
        }

        if (imageUser is { Uid: null, Username: { Length: > 0 } username })
        {
            throw new ContainerConfigException(
                $"container has runAsNonRoot and image has non-numeric user ({username}), cannot verify user is non-root (pod: \"{podName}\", container: {container.Name})");
        }
    }
}
