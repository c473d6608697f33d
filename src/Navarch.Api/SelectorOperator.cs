namespace Navarch.Api;

/// <summary>
/// The operators of label and field selector requirements, as in k8s.io/apimachinery/pkg/selection.
/// Field selectors only use <see cref="Equals"/>, <see cref="DoubleEquals"/> and <see cref="NotEquals"/>.
/// </summary>
public enum SelectorOperator
{
    /// <summary><c>key=value</c>.</summary>
    Equals,

    /// <summary><c>key==value</c>; matches like <see cref="Equals"/> but prints back as <c>==</c>.</summary>
    DoubleEquals,

    /// <summary><c>key!=value</c>; also matches objects without the key.</summary>
    NotEquals,

    /// <summary><c>key in (a,b)</c>.</summary>
    In,

    /// <summary><c>key notin (a,b)</c>; also matches objects without the key.</summary>
    NotIn,

    /// <summary><c>key</c>.</summary>
    Exists,

    /// <summary><c>!key</c>.</summary>
    DoesNotExist,

    /// <summary><c>key&gt;n</c> with integer values.</summary>
    GreaterThan,

    /// <summary><c>key&lt;n</c> with integer values.</summary>
    LessThan,
}
