using k8s.Models;

namespace Navarch.Api.Pods;

/// <summary>
/// An ephemeral container as a <see cref="V1Container"/>, with the fields the two share, so the validation and the
/// runtime code written for containers serve ephemeral ones too.
/// </summary>
public static class EphemeralContainerSpec
{
    public static V1Container ToContainer(V1EphemeralContainer c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new()
        {
            Name = c.Name,
            Image = c.Image,
            Command = c.Command,
            Args = c.Args,
            WorkingDir = c.WorkingDir,
            Ports = c.Ports,
            EnvFrom = c.EnvFrom,
            Env = c.Env,
            Resources = c.Resources,
            ResizePolicy = c.ResizePolicy,
            RestartPolicy = c.RestartPolicy,
            VolumeMounts = c.VolumeMounts,
            VolumeDevices = c.VolumeDevices,
            LivenessProbe = c.LivenessProbe,
            ReadinessProbe = c.ReadinessProbe,
            StartupProbe = c.StartupProbe,
            Lifecycle = c.Lifecycle,
            TerminationMessagePath = c.TerminationMessagePath,
            TerminationMessagePolicy = c.TerminationMessagePolicy,
            ImagePullPolicy = c.ImagePullPolicy,
            SecurityContext = c.SecurityContext,
            Stdin = c.Stdin,
            StdinOnce = c.StdinOnce,
            Tty = c.Tty,
        };
    }
}
