using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Core v1 Events, after pkg/registry/core/event/strategy.go and the legacy rules of ValidateEvent.</summary>
internal sealed class EventStrategy : ResourceStrategy<Corev1Event>
{
    private static readonly IReadOnlyCollection<string> Fields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ];

    public override IReadOnlyCollection<string> SelectableFields => Fields;

    protected override void Validate(Corev1Event obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);

        // The event lives in its object's namespace; an event about a cluster-scoped object lives in "default" (or none).
        var eventNamespace = obj.Metadata?.NamespaceProperty ?? "";
        var objectNamespace = obj.InvolvedObject?.NamespaceProperty ?? "";
        var matches = objectNamespace.Length == 0
            ? eventNamespace is "" or "default"
            : eventNamespace == objectNamespace;
        if (!matches)
        {
            errors.Add(FieldError.Invalid("involvedObject.namespace", objectNamespace, "does not match event.namespace"));
        }
    }

    protected override string GetSelectableField(Corev1Event obj, string field) => field switch
    {
        "involvedObject.kind" => obj.InvolvedObject?.Kind ?? "",
        "involvedObject.namespace" => obj.InvolvedObject?.NamespaceProperty ?? "",
        "involvedObject.name" => obj.InvolvedObject?.Name ?? "",
        "involvedObject.uid" => obj.InvolvedObject?.Uid ?? "",
        "involvedObject.apiVersion" => obj.InvolvedObject?.ApiVersion ?? "",
        "involvedObject.resourceVersion" => obj.InvolvedObject?.ResourceVersion ?? "",
        "involvedObject.fieldPath" => obj.InvolvedObject?.FieldPath ?? "",
        "reason" => obj.Reason ?? "",
        "reportingComponent" => obj.ReportingComponent ?? "",
        "source" => obj.Source?.Component ?? "",
        "type" => obj.Type ?? "",
        _ => "",
    };
}
