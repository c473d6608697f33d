namespace Navarch.Api.Fields;

/// <summary>
/// One term of a field selector: <c>field=value</c> (<see cref="SelectorOperator.Equals"/>, also for <c>==</c>)
/// or <c>field!=value</c> (<see cref="SelectorOperator.NotEquals"/>). <see cref="Value"/> is unescaped.
/// </summary>
public sealed record FieldRequirement(string Field, SelectorOperator Operator, string Value)
{
    /// <summary>The term in selector syntax with the value escaped, as fields.hasTerm/notHasTerm print it.</summary>
    public override string ToString() =>
        Field + (Operator == SelectorOperator.NotEquals ? "!=" : "=") + FieldSelector.EscapeValue(Value);
}
