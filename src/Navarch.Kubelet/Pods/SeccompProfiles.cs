using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// A securityContext's seccompProfile as CRI's <see cref="SecurityProfile"/>, as the kubelet's getSeccompProfile: the
/// container's profile, else the pod's, else Unconfined; a Localhost profile is a file under the node's seccomp root.
/// </summary>
public static class SeccompProfiles
{
    /// <exception cref="ContainerConfigException">A Localhost profile names no file, or one outside the root.</exception>
    public static SecurityProfile For(V1SeccompProfile? containerProfile, V1SeccompProfile? podProfile, string root)
    {
        var profile = containerProfile ?? podProfile;
        switch (profile?.Type)
        {
            case "RuntimeDefault":
                return new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault };
            case "Localhost":
                if (string.IsNullOrEmpty(profile.LocalhostProfile))
                {
                    throw new ContainerConfigException("localhostProfile must be set if seccompProfile type is Localhost.");
                }

                var path = Path.GetFullPath(Path.Combine(root, profile.LocalhostProfile));
                if (!path.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new ContainerConfigException($"localhostProfile {profile.LocalhostProfile} is outside the seccomp profile root {root}");
                }

                return new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = path };
            default:
                return new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined };
        }
    }
}
