using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Pods, after kube-apiserver's pkg/registry/core/pod/strategy.go.</summary>
internal sealed class PodStrategy : ResourceStrategy<V1Pod>
{
    private static readonly IReadOnlyCollection<string> Fields =
    [
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.nominatedNodeName",
    ];

    public override IReadOnlyCollection<string> SelectableFields => Fields;

    /// <summary>A new pod is Pending with its QoS class; a client may not bring its own status.</summary>
    protected override void PrepareForCreate(V1Pod obj)
    {
        obj.Status = new V1PodStatus { Phase = "Pending", QosClass = PodQos.Compute(obj.Spec) };

        // As Kubernetes does, a pod created with scheduling gates says why it is not scheduled.
        if (obj.Spec?.SchedulingGates is { Count: > 0 })
        {
            obj.Status.Conditions =
            [
                new V1PodCondition
                {
                    Type = "PodScheduled",
                    Status = "False",
                    Reason = "SchedulingGated",
                    Message = "Scheduling is blocked due to non-empty scheduling gates",
                },
            ];
        }
    }

    protected override void PrepareForUpdate(V1Pod obj, V1Pod old) => obj.Status = old.Status;

    protected override void Default(V1Pod obj)
    {
        obj.Spec ??= new V1PodSpec();
        PodSpecDefaults.Apply(obj.Spec);
        PodSpecDefaults.ApplyPodOnly(obj.Spec);
    }

    protected override void Validate(V1Pod obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        PodSpecValidation.Validate(obj.Spec, "spec", errors);

        // As ValidatePodCreate: ephemeral containers join a running pod only through pods/ephemeralcontainers.
        if (obj.Spec?.EphemeralContainers is { Count: > 0 })
        {
            errors.Add(FieldError.Forbidden("spec.ephemeralContainers", "cannot be set on create"));
        }
    }

    protected override void ValidateUpdate(V1Pod obj, V1Pod old, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        PodUpdateValidation.Validate(obj.Spec ?? new V1PodSpec(), old.Spec ?? new V1PodSpec(), errors);
    }

    protected override string GetSelectableField(V1Pod obj, string field) => field switch
    {
        "spec.nodeName" => obj.Spec?.NodeName ?? "",
        "spec.restartPolicy" => obj.Spec?.RestartPolicy ?? "",
        "spec.schedulerName" => obj.Spec?.SchedulerName ?? "",
        "spec.serviceAccountName" => obj.Spec?.ServiceAccountName ?? "",
        "spec.hostNetwork" => obj.Spec?.HostNetwork == true ? "true" : "false",
        "status.phase" => obj.Status?.Phase ?? "",
        "status.podIP" => obj.Status?.PodIPs is { Count: > 0 } ips ? ips[0].Ip ?? "" : obj.Status?.PodIP ?? "",
        "status.nominatedNodeName" => obj.Status?.NominatedNodeName ?? "",
        _ => "",
    };

    /// <summary>
    /// As the pod strategy's CheckGracefulDelete: the requested period, else the pod's terminationGracePeriodSeconds;
    /// at once when the pod was never scheduled or has already finished; a negative period becomes 1.
    /// </summary>
    protected override long? GracefulDeletionPeriod(V1Pod obj, long? requestedGracePeriodSeconds)
    {
        var period = requestedGracePeriodSeconds ?? obj.Spec?.TerminationGracePeriodSeconds ?? PodSpecDefaults.DefaultTerminationGracePeriodSeconds;
        if (string.IsNullOrEmpty(obj.Spec?.NodeName) || obj.Status?.Phase is "Succeeded" or "Failed")
        {
            period = 0;
        }

        if (period < 0)
        {
            period = 1;
        }

        return period == 0 ? null : period;
    }
}
