using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>events.k8s.io/v1 Events, with the required-field rules ValidateEventCreate applies to the new API.</summary>
internal sealed class EventsEventStrategy : ResourceStrategy<Eventsv1Event>
{
    private const int ShortFieldLimit = 128;
    private const int NoteLimit = 1024;

    protected override void Validate(Eventsv1Event obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        if (obj.EventTime is null)
        {
            errors.Add(FieldError.Required("eventTime"));
        }

        if (obj.Type is not ("Normal" or "Warning"))
        {
            errors.Add(FieldError.Invalid("type", "", $"has invalid value: {obj.Type}"));
        }

        if (string.IsNullOrEmpty(obj.ReportingController))
        {
            errors.Add(FieldError.Required("reportingController"));
        }
        else
        {
            foreach (var message in NameValidation.IsQualifiedName(obj.ReportingController))
            {
                errors.Add(FieldError.Invalid("reportingController", obj.ReportingController, message));
            }
        }

        RequireShort(obj.ReportingInstance, "reportingInstance", errors);
        RequireShort(obj.Action, "action", errors);
        RequireShort(obj.Reason, "reason", errors);
        if (obj.Note is { Length: > NoteLimit })
        {
            errors.Add(FieldError.Invalid("note", "", $"can have at most {NoteLimit} characters"));
        }
    }

    private static void RequireShort(string? value, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(FieldError.Required(path));
        }
        else if (value.Length > ShortFieldLimit)
        {
            errors.Add(FieldError.Invalid(path, "", $"can have at most {ShortFieldLimit} characters"));
        }
    }
}
