using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// Pod spec validation shared by Pods and every pod template, after the main rules of Kubernetes' ValidatePodSpec
/// (pkg/apis/core/validation): containers present, container and volume names, images, ports, env, mounts,
/// restart and DNS policies, tolerations and resources; ephemeral containers through <see cref="EphemeralContainerValidation"/>.
/// Paths start at <c>path</c>, e.g. <c>spec</c> or <c>spec.template.spec</c>.
/// </summary>
internal static class PodSpecValidation
{
    public static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] DnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] TolerationOperators = ["Equal", "Exists"];
    private static readonly string[] TaintEffects = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

    /// <summary>Validates a pod template: its labels and annotations, then its spec.</summary>
    public static void ValidateTemplate(V1PodTemplateSpec? template, string path, List<FieldError> errors)
    {
        if (template is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        ObjectMetaValidation.ValidateLabels(template.Metadata?.Labels, path + ".metadata.labels", errors);
        ObjectMetaValidation.ValidateAnnotations(template.Metadata?.Annotations, path + ".metadata.annotations", errors);
        Validate(template.Spec, path + ".spec", errors);
    }

    public static void Validate(V1PodSpec? spec, string path, List<FieldError> errors)
    {
        if (spec is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        var volumes = ValidateVolumes(spec.Volumes, path + ".volumes", errors);
        var containerNames = new HashSet<string>(StringComparer.Ordinal);
        ValidateContainers(spec.InitContainers, path + ".initContainers", volumes, containerNames, errors);
        if (spec.Containers is not { Count: > 0 })
        {
            errors.Add(FieldError.Required(path + ".containers"));
        }
        else
        {
            ValidateContainers(spec.Containers, path + ".containers", volumes, containerNames, errors);
        }

        EphemeralContainerValidation.Validate(spec, path + ".ephemeralContainers", volumes, containerNames, errors);

        if (spec.RestartPolicy is { } restartPolicy && !RestartPolicies.Contains(restartPolicy))
        {
            errors.Add(FieldError.NotSupported(path + ".restartPolicy", restartPolicy, RestartPolicies));
        }

        if (spec.DnsPolicy is { } dnsPolicy && !DnsPolicies.Contains(dnsPolicy))
        {
            errors.Add(FieldError.NotSupported(path + ".dnsPolicy", dnsPolicy, DnsPolicies));
        }

        if (spec.ActiveDeadlineSeconds is { } deadline && (deadline < 1 || deadline > int.MaxValue))
        {
            errors.Add(FieldError.Invalid(path + ".activeDeadlineSeconds", deadline, NameValidation.InclusiveRange(1, int.MaxValue)));
        }

        if (!string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            foreach (var message in NameValidation.IsDns1123Subdomain(spec.ServiceAccountName))
            {
                errors.Add(FieldError.Invalid(path + ".serviceAccountName", spec.ServiceAccountName, message));
            }
        }

        if (!string.IsNullOrEmpty(spec.NodeName))
        {
            foreach (var message in NameValidation.IsDns1123Subdomain(spec.NodeName))
            {
                errors.Add(FieldError.Invalid(path + ".nodeName", spec.NodeName, message));
            }
        }

        ValidateTolerations(spec.Tolerations, path + ".tolerations", errors);
    }

    public static void ValidateTolerations(IList<V1Toleration>? tolerations, string path, List<FieldError> errors)
    {
        var index = 0;
        foreach (var toleration in tolerations ?? [])
        {
            var at = $"{path}[{index++}]";
            if (!string.IsNullOrEmpty(toleration.Key))
            {
                foreach (var message in NameValidation.IsQualifiedName(toleration.Key))
                {
                    errors.Add(FieldError.Invalid(at + ".key", toleration.Key, message));
                }
            }

            var op = toleration.OperatorProperty ?? "Equal";
            if (string.IsNullOrEmpty(toleration.Key) && op != "Exists")
            {
                errors.Add(FieldError.Invalid(at + ".operator", op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }

            if (!TolerationOperators.Contains(op))
            {
                errors.Add(FieldError.NotSupported(at + ".operator", op, TolerationOperators));
            }
            else if (op == "Exists" && !string.IsNullOrEmpty(toleration.Value))
            {
                errors.Add(FieldError.Invalid(at + ".operator", toleration.Value, "value must be empty when `operator` is 'Exists'"));
            }

            if (!string.IsNullOrEmpty(toleration.Effect) && !TaintEffects.Contains(toleration.Effect))
            {
                errors.Add(FieldError.NotSupported(at + ".effect", toleration.Effect, TaintEffects));
            }

            if (toleration.TolerationSeconds is not null && toleration.Effect != "NoExecute")
            {
                errors.Add(FieldError.Invalid(at + ".effect", toleration.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
        }
    }

    private static HashSet<string> ValidateVolumes(IList<V1Volume>? volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var volume in volumes ?? [])
        {
            var at = $"{path}[{index++}].name";
            var name = volume.Name ?? "";
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at));
                continue;
            }

            foreach (var message in NameValidation.IsDns1123Label(name))
            {
                errors.Add(FieldError.Invalid(at, name, message));
            }

            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(at, name));
            }
        }

        return names;
    }

    private static void ValidateContainers(
        IList<V1Container>? containers, string path, HashSet<string> volumes, HashSet<string> names, List<FieldError> errors)
    {
        var index = 0;
        foreach (var container in containers ?? [])
        {
            ValidateContainer(container, $"{path}[{index++}]", volumes, names, errors);
        }
    }

    /// <summary>
    /// The rules every kind of container shares (as validateContainerCommon): a unique DNS-label name, an image, the
    /// pull policy, ports, env, mounts of declared volumes and resources. <paramref name="names"/> collects the names seen.
    /// </summary>
    public static void ValidateContainer(V1Container container, string at, HashSet<string> volumes, HashSet<string> names, List<FieldError> errors)
    {
        var name = container.Name ?? "";
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(at + ".name"));
        }
        else
        {
            foreach (var message in NameValidation.IsDns1123Label(name))
            {
                errors.Add(FieldError.Invalid(at + ".name", name, message));
            }

            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(at + ".name", name));
            }
        }

        ValidateImage(container.Image, at + ".image", errors);
        if (container.ImagePullPolicy is { } pullPolicy && !PullPolicies.Contains(pullPolicy))
        {
            errors.Add(FieldError.NotSupported(at + ".imagePullPolicy", pullPolicy, PullPolicies));
        }

        ValidatePorts(container.Ports, at + ".ports", errors);
        ValidateEnv(container.Env, at + ".env", errors);
        ValidateMounts(container.VolumeMounts, at + ".volumeMounts", volumes, errors);
        ValidateResources(container.Resources, at + ".resources", errors);
    }

    /// <summary>An image is required and may not have surrounding whitespace.</summary>
    public static void ValidateImage(string? image, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(image))
        {
            errors.Add(FieldError.Required(path));
        }
        else if (image.Trim() != image)
        {
            errors.Add(FieldError.Invalid(path, image, "must not have leading or trailing whitespace"));
        }
    }

    private static void ValidatePorts(IList<V1ContainerPort>? ports, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var port in ports ?? [])
        {
            var at = $"{path}[{index++}]";
            if (!string.IsNullOrEmpty(port.Name))
            {
                foreach (var message in NameValidation.IsValidPortName(port.Name))
                {
                    errors.Add(FieldError.Invalid(at + ".name", port.Name, message));
                }

                if (!names.Add(port.Name))
                {
                    errors.Add(FieldError.Duplicate(at + ".name", port.Name));
                }
            }

            if (port.ContainerPort is < 1 or > 65535)
            {
                errors.Add(FieldError.Invalid(at + ".containerPort", port.ContainerPort, NameValidation.InclusiveRange(1, 65535)));
            }

            if (port.HostPort is { } hostPort and not 0 && hostPort is < 1 or > 65535)
            {
                errors.Add(FieldError.Invalid(at + ".hostPort", hostPort, NameValidation.InclusiveRange(1, 65535)));
            }

            if (port.Protocol is { } protocol && !Protocols.Contains(protocol))
            {
                errors.Add(FieldError.NotSupported(at + ".protocol", protocol, Protocols));
            }
        }
    }

    private static void ValidateEnv(IList<V1EnvVar>? env, string path, List<FieldError> errors)
    {
        var index = 0;
        foreach (var variable in env ?? [])
        {
            var at = $"{path}[{index++}]";
            if (string.IsNullOrEmpty(variable.Name))
            {
                errors.Add(FieldError.Required(at + ".name"));
                continue;
            }

            foreach (var message in NameValidation.IsEnvVarName(variable.Name))
            {
                errors.Add(FieldError.Invalid(at + ".name", variable.Name, message));
            }

            if (variable.ValueFrom is not null && !string.IsNullOrEmpty(variable.Value))
            {
                errors.Add(FieldError.Invalid(at + ".valueFrom", "", "may not be specified when `value` is not empty"));
            }
        }
    }

    private static void ValidateMounts(IList<V1VolumeMount>? mounts, string path, HashSet<string> volumes, List<FieldError> errors)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var mount in mounts ?? [])
        {
            var at = $"{path}[{index++}]";
            if (string.IsNullOrEmpty(mount.Name))
            {
                errors.Add(FieldError.Required(at + ".name"));
            }
            else if (!volumes.Contains(mount.Name))
            {
                errors.Add(new FieldError(FieldErrorType.NotFound, at + ".name", mount.Name, ""));
            }

            if (string.IsNullOrEmpty(mount.MountPath))
            {
                errors.Add(FieldError.Required(at + ".mountPath"));
            }
            else if (!mountPaths.Add(mount.MountPath))
            {
                errors.Add(FieldError.Invalid(at + ".mountPath", mount.MountPath, "must be unique"));
            }
        }
    }

    private static void ValidateResources(V1ResourceRequirements? resources, string path, List<FieldError> errors)
    {
        if (resources is null)
        {
            return;
        }

        foreach (var (name, quantity) in resources.Limits ?? new Dictionary<string, ResourceQuantity>())
        {
            if (quantity.ToDecimal() < 0)
            {
                errors.Add(FieldError.Invalid($"{path}.limits[{name}]", quantity.ToString(), "must be greater than or equal to 0"));
            }
        }

        foreach (var (name, quantity) in resources.Requests ?? new Dictionary<string, ResourceQuantity>())
        {
            if (quantity.ToDecimal() < 0)
            {
                errors.Add(FieldError.Invalid($"{path}.requests[{name}]", quantity.ToString(), "must be greater than or equal to 0"));
            }
            else if (resources.Limits?.TryGetValue(name, out var limit) == true && quantity.ToDecimal() > limit.ToDecimal())
            {
                errors.Add(FieldError.Invalid($"{path}.requests[{name}]", quantity.ToString(),
                    $"must be less than or equal to {name} limit of {limit}"));
            }
        }
    }
}
