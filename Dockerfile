# One image for the harness and the bundled SFU (docker-compose.yml uses it for both): Debian 12
# and Node 20, as on the machines the project is developed on. `npm run setup` installs Chromium,
# coturn, Prometheus and the mediasoup worker's build dependencies from Debian, builds the worker
# from the npm tarball's sources, runs npm ci and bundles the call page.
FROM node:20-bookworm

WORKDIR /app
COPY . .
RUN npm run setup \
  && rm -rf /var/lib/apt/lists/* /root/.npm

# `docker run rtc-harness:local run <scenario> [options]`; the SFU service overrides the entrypoint.
ENTRYPOINT ["node", "harness/bin/rtc-harness.mjs"]
CMD ["run", "scenarios/smoke.scenario.ts"]
