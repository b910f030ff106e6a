# The ember model server as a container: a static binary and one model.
#
#   make train                       # writes models/mnist-cnn (or use any saved model directory)
#   docker build -t ember-serve --build-arg MODEL=models/mnist-cnn .
#   docker run --rm -p 8080:8080 ember-serve
#
# The build stage compiles cmd/serve with CGO_ENABLED=0; `make static`
# builds and checks that exact binary on machines without Docker.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/serve ./cmd/serve

FROM gcr.io/distroless/static-debian12:nonroot
ARG MODEL=models/mnist-cnn
COPY --from=build /out/serve /serve
COPY ${MODEL} /model
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/serve", "-addr", "0.0.0.0:8080", "-model", "/model"]
