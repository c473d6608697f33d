using Microsoft.Extensions.DependencyInjection;
using Navarch.ApiServer.Admission.DefaultTolerationSeconds;
using Navarch.ApiServer.Admission.Priority;
using Navarch.ApiServer.Admission.ServiceAccount;

namespace Navarch.ApiServer.Admission;

/// <summary>Registers the admission chain the write path runs.</summary>
public static class AdmissionServiceCollectionExtensions
{
    /// <summary>
    /// The default plugins in kube-apiserver's order (ServiceAccount, then DefaultTolerationSeconds, then Priority). Needs the
    /// <see cref="Registry.ResourceRegistry"/>, <see cref="Watch.WatchCacheSet"/> and <see cref="Objects.ObjectRepository"/>
    /// registered too.
    /// </summary>
    public static IServiceCollection AddDefaultAdmission(this IServiceCollection services)
    {
        services.AddSingleton<IPriorityClassLister, PriorityClassLister>();
        services.AddSingleton<PriorityAdmission>();
        services.AddSingleton<DefaultTolerationSecondsAdmission>();
        services.AddSingleton<IServiceAccountLister, ServiceAccountLister>();
        // The shared Random is thread-safe; requests admit pods concurrently.
        services.AddSingleton(provider => new ServiceAccountAdmission(provider.GetRequiredService<IServiceAccountLister>(), Random.Shared));
        services.AddSingleton(provider =>
        {
            var priority = provider.GetRequiredService<PriorityAdmission>();
            return new AdmissionChain(
                [
                    provider.GetRequiredService<ServiceAccountAdmission>(),
                    provider.GetRequiredService<DefaultTolerationSecondsAdmission>(),
                    priority,
                ],
                [priority]);
        });
        return services;
    }
}
