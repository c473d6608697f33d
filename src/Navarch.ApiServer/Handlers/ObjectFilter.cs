using Navarch.Api;
using Navarch.Api.Fields;
using Navarch.Api.Labels;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.Handlers;

/// <summary>The label and field selectors of a list or watch, checked against cached attributes.</summary>
public sealed class ObjectFilter
{
    private readonly LabelSelector _labels;
    private readonly FieldSelector _fields;

    private ObjectFilter(LabelSelector labels, FieldSelector fields)
    {
        _labels = labels;
        _fields = fields;
    }

    public bool IsEverything => _labels.IsEmpty && _fields.IsEmpty;

    /// <exception cref="ApiException">400 for a malformed selector or a field the kind cannot select on.</exception>
    public static ObjectFilter Create(ResourceDefinition definition, ListOptions options)
    {
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(options.LabelSelector);
            fields = FieldSelector.Parse(options.FieldSelector);
        }
        catch (SelectorParseException e)
        {
            throw ApiException.BadRequest(e.Message);
        }

        foreach (var requirement in fields.Requirements)
        {
            if (requirement.Field is not ("metadata.name" or "metadata.namespace")
                && !definition.Strategy.SelectableFields.Contains(requirement.Field))
            {
                throw ApiException.BadRequest($"field label not supported: {requirement.Field}");
            }
        }

        return new ObjectFilter(labels, fields);
    }

    public bool Matches(CachedObject obj) =>
        _labels.Matches(obj.Labels) && (_fields.IsEmpty || _fields.Matches(obj.Fields, static (f, name) => f.GetValueOrDefault(name)));
}
