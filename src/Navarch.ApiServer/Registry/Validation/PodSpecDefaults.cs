using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// Pod spec defaults shared by Pods and every pod template, after Kubernetes' SetDefaults_PodSpec, SetDefaults_Container,
/// SetDefaults_Probe and the volume-source defaulters (pkg/apis/core/v1/defaults.go). Pod-only defaults (requests from
/// limits, service account, tolerations, priority) live in <see cref="ApplyPodOnly"/>.
/// </summary>
internal static class PodSpecDefaults
{
    public const long DefaultTerminationGracePeriodSeconds = 30;
    public const string DefaultSchedulerName = "default-scheduler";
    public const int DefaultVolumeMode = 420; // 0644, as Kubernetes defaults secret/configMap/projected/downwardAPI files.
    public const string DefaultTerminationMessagePath = "/dev/termination-log";
    public const string DefaultTerminationMessagePolicy = "File";

    public static void Apply(V1PodSpec spec)
    {
        spec.DnsPolicy ??= "ClusterFirst";
        spec.RestartPolicy ??= "Always";
        spec.TerminationGracePeriodSeconds ??= DefaultTerminationGracePeriodSeconds;
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.SchedulerName ??= DefaultSchedulerName;

        foreach (var container in spec.InitContainers ?? [])
        {
            ApplyContainer(container, spec.HostNetwork == true);
        }

        foreach (var container in spec.Containers ?? [])
        {
            ApplyContainer(container, spec.HostNetwork == true);
        }

        // The generated defaulters reach ephemeral containers too, so one added through pods/ephemeralcontainers
        // gets the same pull policy and termination message settings as any other container.
        foreach (var container in spec.EphemeralContainers ?? [])
        {
            ApplyEphemeralContainer(container, spec.HostNetwork == true);
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            ApplyVolume(volume);
        }
    }

    /// <summary>
    /// What Kubernetes adds to a Pod (never to a template): requests copied from limits (SetDefaults_Pod),
    /// enableServiceLinks and the ServiceAccount admission's service account. Priority and the default
    /// tolerations come from the admission chain (Admission/), which runs before this.
    /// </summary>
    public static void ApplyPodOnly(V1PodSpec spec)
    {
        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            CopyLimitsToRequests(container);
        }

        spec.EnableServiceLinks ??= true;
        if (string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            spec.ServiceAccountName = string.IsNullOrEmpty(spec.ServiceAccount) ? "default" : spec.ServiceAccount;
        }

        // The deprecated field mirrors the current one, as kube-apiserver's conversion keeps them in step.
        spec.ServiceAccount = spec.ServiceAccountName;
    }

    /// <summary>Always for <c>:latest</c> or no tag, IfNotPresent for any other tag or a digest.</summary>
    public static string DefaultImagePullPolicy(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return "IfNotPresent";
        }

        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSlash = image.LastIndexOf('/');
        var lastColon = image.LastIndexOf(':');
        var tag = lastColon > lastSlash ? image[(lastColon + 1)..] : "latest";
        return tag == "latest" ? "Always" : "IfNotPresent";
    }

    private static void ApplyContainer(V1Container container, bool hostNetwork)
    {
        container.ImagePullPolicy ??= DefaultImagePullPolicy(container.Image);
        container.TerminationMessagePath ??= DefaultTerminationMessagePath;
        container.TerminationMessagePolicy ??= DefaultTerminationMessagePolicy;
        ApplyPorts(container.Ports, hostNetwork);
        ApplyEnv(container.Env);
        ApplyProbe(container.LivenessProbe);
        ApplyProbe(container.ReadinessProbe);
        ApplyProbe(container.StartupProbe);
    }

    private static void ApplyEphemeralContainer(V1EphemeralContainer container, bool hostNetwork)
    {
        container.ImagePullPolicy ??= DefaultImagePullPolicy(container.Image);
        container.TerminationMessagePath ??= DefaultTerminationMessagePath;
        container.TerminationMessagePolicy ??= DefaultTerminationMessagePolicy;
        ApplyPorts(container.Ports, hostNetwork);
        ApplyEnv(container.Env);
        ApplyProbe(container.LivenessProbe);
        ApplyProbe(container.ReadinessProbe);
        ApplyProbe(container.StartupProbe);
    }

    private static void ApplyPorts(IList<V1ContainerPort>? ports, bool hostNetwork)
    {
        foreach (var port in ports ?? [])
        {
            port.Protocol ??= "TCP";

            // With host networking the container port is the host port, as SetDefaults_PodSpec makes it.
            if (hostNetwork && port.HostPort is null or 0)
            {
                port.HostPort = port.ContainerPort;
            }
        }
    }

    private static void ApplyEnv(IList<V1EnvVar>? env)
    {
        foreach (var variable in env ?? [])
        {
            if (variable.ValueFrom?.FieldRef is { } fieldRef)
            {
                fieldRef.ApiVersion ??= "v1";
            }
        }
    }

    private static void ApplyProbe(V1Probe? probe)
    {
        if (probe is null)
        {
            return;
        }

        probe.TimeoutSeconds ??= 1;
        probe.PeriodSeconds ??= 10;
        probe.SuccessThreshold ??= 1;
        probe.FailureThreshold ??= 3;
        if (probe.HttpGet is { } httpGet)
        {
            httpGet.Path ??= "/";
            httpGet.Scheme ??= "HTTP";
        }
    }

    private static void ApplyVolume(V1Volume volume)
    {
        if (volume.Secret is { } secret)
        {
            secret.DefaultMode ??= DefaultVolumeMode;
        }

        if (volume.ConfigMap is { } configMap)
        {
            configMap.DefaultMode ??= DefaultVolumeMode;
        }

        if (volume.Projected is { } projected)
        {
            projected.DefaultMode ??= DefaultVolumeMode;
        }

        if (volume.DownwardAPI is { } downward)
        {
            downward.DefaultMode ??= DefaultVolumeMode;
        }

        if (volume.HostPath is { } hostPath)
        {
            hostPath.Type ??= "";
        }
    }

    private static void CopyLimitsToRequests(V1Container container)
    {
        if (container.Resources?.Limits is not { Count: > 0 } limits)
        {
            return;
        }

        container.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (name, quantity) in limits)
        {
            if (!container.Resources.Requests.ContainsKey(name))
            {
                container.Resources.Requests[name] = new ResourceQuantity(quantity.ToString());
            }
        }
    }
}
