using System.Reflection;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// A member-wise copy of a model object (the KubernetesClient models are plain property bags): the copy's own
/// scalar fields can change while nested objects stay shared. Far cheaper than a JSON round trip on the hot
/// path of assuming a pod.
/// </summary>
public static class ShallowCopy
{
    private static readonly Func<object, object> Clone = (Func<object, object>)typeof(object)
        .GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!
        .CreateDelegate(typeof(Func<object, object>));

    public static T Of<T>(T value)
        where T : class => (T)Clone(value);
}
