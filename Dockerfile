# Image of one service (speed-layer, batch-layer or serving-layer): docker-compose.yml passes SERVICE (its folder)
# and PROJECT (its project and assembly name). Build context: the repository root.
ARG SERVICE
ARG PROJECT

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG SERVICE
ARG PROJECT
WORKDIR /src
# Restore first, from the project files alone, so the package layer is cached across code changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY shared/Lambda.Shared.csproj shared/
COPY ${SERVICE}/${PROJECT}.csproj ${SERVICE}/
RUN dotnet restore ${SERVICE}/${PROJECT}.csproj
COPY shared/ shared/
COPY ${SERVICE}/ ${SERVICE}/
RUN dotnet publish ${SERVICE}/${PROJECT}.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG PROJECT
WORKDIR /app
COPY --from=build /app .
# Configuration comes from the environment (Kafka__BootstrapServers, ClickHouse__Url, ...).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    APP_ASSEMBLY=${PROJECT}.dll
EXPOSE 8080
# The dataset volume mounts here; a new named volume takes this directory's owner, so the non-root user can write it.
RUN mkdir -p /var/lib/lambda && chown "$APP_UID" /var/lib/lambda
USER $APP_UID
# A shell form would not pass signals on; exec hands the process over to dotnet, and "$@" keeps command arguments.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$APP_ASSEMBLY\" \"$@\"", "--"]
